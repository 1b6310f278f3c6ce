import Checkpoints
import Foundation
import FuzzDriver

/// One fuzz input for the safetensors reader: any bytes must give tensors or a thrown error, never a crash or
/// an allocation beyond what the input declares.
@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start = data else { return 0 }
    _ = try? SafeTensors.decode(Data(bytes: start, count: count), path: "fuzz")
    return 0
}

/// The executable's entry point (SwiftPM's name for `main`): runs libFuzzer's driver.
@_cdecl("FuzzSafeTensors_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    swiftgrad_fuzz_main(argc, argv)
}

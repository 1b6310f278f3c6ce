import Datasets
import Foundation
import FuzzDriver

/// One fuzz input for the IDX reader (raw or gzip-compressed).
@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start = data else { return 0 }
    _ = try? IDXArray.decode(Data(bytes: start, count: count), path: "fuzz")
    return 0
}

/// The executable's entry point (SwiftPM's name for `main`): runs libFuzzer's driver.
@_cdecl("FuzzIDX_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    swiftgrad_fuzz_main(argc, argv)
}

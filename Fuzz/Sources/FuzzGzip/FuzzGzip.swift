import Datasets
import Foundation
import FuzzDriver

/// One fuzz input for gzip decompression, capped at 16 MB of output.
@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let start = data else { return 0 }
    _ = try? Gzip.decompress(Data(bytes: start, count: count), path: "fuzz", limit: 16 << 20)
    return 0
}

/// The executable's entry point (SwiftPM's name for `main`): runs libFuzzer's driver.
@_cdecl("FuzzGzip_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    swiftgrad_fuzz_main(argc, argv)
}

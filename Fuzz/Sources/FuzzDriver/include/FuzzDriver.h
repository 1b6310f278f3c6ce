#ifndef SWIFTGRAD_FUZZ_DRIVER_H
#define SWIFTGRAD_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver on the target's `LLVMFuzzerTestOneInput`. SwiftPM names an executable's entry point
/// `<Target>_main`, which takes the place of libFuzzer's own `main`; each target's entry point calls this.
int swiftgrad_fuzz_main(int argc, char **argv);
#endif

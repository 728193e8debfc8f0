// libFuzzer's entry for programs that keep their own main (compiler-rt FuzzerInterface.h):
// SwiftPM links an executable's entry point as `main`, so a target starts libFuzzer from it.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

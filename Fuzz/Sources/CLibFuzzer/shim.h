// libFuzzer's driver, for a main written in Swift. SwiftPM renames an executable's entry point
// (`--defsym main=TauFuzz_main`), so libFuzzer's own `main` cannot be the program's; main.swift
// hands control to the driver instead. The symbol comes from -sanitize=fuzzer's runtime.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*callback)(const uint8_t *data, size_t size));

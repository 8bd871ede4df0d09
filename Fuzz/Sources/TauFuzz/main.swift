// Hands the command line to libFuzzer's driver, which calls `fuzz` once per input
// (FuzzTarget.swift). Flags and corpus folders are libFuzzer's: see `make fuzz`.
import CLibFuzzer
import Foundation

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) })

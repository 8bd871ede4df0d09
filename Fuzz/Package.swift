// swift-tools-version:6.0
// The fuzzing harness, a package of its own so that the main package's `swift build` and
// `swift test` never see it: `make fuzz` builds it with `-sanitize=fuzzer` (libFuzzer).
import PackageDescription

let package = Package(
  name: "TauFuzz",
  dependencies: [.package(name: "tau", path: "..")],
  targets: [
    .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
    .executableTarget(
      name: "TauFuzz",
      dependencies: [
        "CLibFuzzer",
        .product(name: "TauLang", package: "tau"),
        .product(name: "TauTensor", package: "tau"),
      ]),
  ]
)

// swift-tools-version:6.0
// Tau: a language and lab for studying gates in recurrent networks as adaptive learning rates.
// Layers (docs/ARCHITECTURE.md): tau → TauREPL → TauLang → TauDynamics → TauGraph → TauTensor →
// CBLAS; a layer may also import the ones further down, and every import is declared here.
// TauPlot (charts, SVG and terminal rendering, tidy tables) is a leaf beside the runtime: it
// imports Foundation only, and TauLang adapts Tau values to it.
import PackageDescription

let package = Package(
  name: "tau",
  products: [
    .executable(name: "tau", targets: ["tau"]),
    .library(name: "TauTensor", targets: ["TauTensor"]),
    .library(name: "TauPlot", targets: ["TauPlot"]),
    .library(name: "TauLang", targets: ["TauLang"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
  ],
  targets: [
    // MARK: - C libraries (module maps only; the Makefile installs the Debian packages)
    .systemLibrary(
      name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
    .systemLibrary(
      name: "CReadline", path: "Sources/CReadline",
      providers: [.apt(["libreadline-dev"])]),
    // The native stack's bounds (a declaration libc has but Swift's Glibc does not export).
    .systemLibrary(name: "CStack", path: "Sources/CStack"),
    // glibc's malloc tuning (mallopt), for the executable.
    .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),

    // MARK: - Runtime (knows nothing of the language)
    .target(
      name: "TauTensor",
      dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")]),

    .target(name: "TauGraph", dependencies: ["TauTensor"]),
    .target(name: "TauDynamics", dependencies: ["TauGraph", "TauTensor"]),

    // MARK: - Plots (a leaf library: Foundation only, nothing of Tau, not even TauTensor)
    .target(name: "TauPlot"),

    // MARK: - Language
    .target(
      name: "TauLang",
      dependencies: ["TauDynamics", "TauGraph", "TauTensor", "TauPlot", "CStack"],
      resources: [.copy("../../stdlib")]),

    // MARK: - Front end
    .target(name: "TauREPL", dependencies: ["TauLang", "CReadline"]),
    .executableTarget(
      name: "tau",
      dependencies: [
        "CMalloc",
        "TauDynamics",
        "TauLang",
        "TauREPL",
        "TauTensor",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Tests
    // What the test targets share: the package root, temporary folders, the runner of the `tau`
    // binary, tensor comparison, finite differences, the paper's cells as graphs. Only test
    // targets depend on it.
    .target(
      name: "TauTestSupport", dependencies: ["TauGraph", "TauTensor"], path: "Tests/TauTestSupport"),
    .testTarget(
      name: "TauTensorTests", dependencies: ["TauTensor", "TauTestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "SystemLibraryTests", dependencies: ["CBLAS", "CReadline"]),
    .testTarget(
      name: "TauGraphTests", dependencies: ["TauGraph", "TauTensor", "TauTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "TauDynamicsTests",
      dependencies: ["TauDynamics", "TauGraph", "TauTensor", "TauTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(name: "TauPlotTests", dependencies: ["TauPlot", "TauTestSupport"]),
    .testTarget(
      name: "TauLangTests",
      dependencies: [
        "TauLang", "TauDynamics", "TauGraph", "TauPlot", "TauTensor", "TauTestSupport",
      ],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "TauREPLTests", dependencies: ["TauREPL", "TauLang", "TauTestSupport"],
      exclude: ["Transcripts"]),
    // Depends on the executable so that `swift test` builds it; the tests run the real binary.
    .testTarget(name: "TauGoldenTests", dependencies: ["tau", "TauTestSupport"]),
  ]
)

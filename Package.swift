// swift-tools-version:5.9
// One package, two modes. Plain `swift build` / `swift test` compiles the library as
// ordinary Swift for unit tests. With SWIFT_LIBEVENT_EMBEDDED=1 (what `make` sets) the
// same sources compile in Embedded Swift with whole-module optimisation into a static
// archive that the Makefile links into the libevent-compatible shared objects.
import PackageDescription

let embedded = Context.environment["SWIFT_LIBEVENT_EMBEDDED"] != nil

var swiftSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-D_GNU_SOURCE", "-Xcc", "-fno-strict-aliasing"])]
if embedded {
    swiftSettings += [
        .enableExperimentalFeature("Embedded"),
        .unsafeFlags(["-wmo", "-Osize", "-enforce-exclusivity=unchecked", "-Xfrontend", "-function-sections", "-Xcc", "-fPIC"]),
    ]
}

let package = Package(
    name: "swift-libevent",
    products: [
        .library(name: "EventEmbedded", type: .static, targets: ["Event"]),
        .library(name: "EventExtraEmbedded", type: .static, targets: ["EventExtra"]),
        .library(name: "EventTlsEmbedded", type: .static, targets: ["EventTls"]),
    ],
    targets: [
        // System headers, our public structs, and the few variadic entry points C must own.
        .target(
            name: "CEventSys",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-fPIC", "-fvisibility=hidden", "-gdwarf-4"])]
                + (embedded ? [.define("CEV_EMBEDDED")] : [])
        ),
        .target(
            name: "Event",
            dependencies: ["CEventSys"],
            swiftSettings: swiftSettings
        ),
        // libevent_extra (dns, http, tag, rpc): reaches the core through C
        // symbols only, never `import Event` (Sources/README.md).
        .target(
            name: "CEventExtra",
            dependencies: ["CEventSys"],
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-fPIC", "-fvisibility=hidden", "-gdwarf-4"])]
                + (embedded ? [.define("CEV_EMBEDDED")] : [])
        ),
        .target(
            name: "EventExtra",
            dependencies: ["CEventExtra"],
            swiftSettings: swiftSettings
        ),
        // libevent_openssl: TLS bufferevents over OpenSSL 3; like the extra
        // library it reaches the core through C symbols only.
        .target(
            name: "CEventTls",
            cSettings: [.define("_GNU_SOURCE"), .unsafeFlags(["-fPIC", "-fvisibility=hidden", "-gdwarf-4"])]
                + (embedded ? [.define("CEV_EMBEDDED")] : [])
        ),
        .target(
            name: "EventTls",
            dependencies: ["CEventTls"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EventExtraTests",
            dependencies: ["EventExtra", "CEventExtra", "Event"]
        ),
        .testTarget(
            name: "EventTests",
            dependencies: ["Event", "CEventSys"]
        ),
    ]
)

import Testing

/// Each tidy rule fails on a planted violation and passes on the same code
/// written the way the rule asks: a rule that cannot fail checks nothing.
@Suite struct TidyRuleTests {
    typealias File = TidyRules.File

    // MARK: The lexer under the rules

    @Test func commentsAndStringsAreNotCode() {
        let text = SwiftText("""
            let a = "close(1) { \\(read(x)) }" // write(2)
            /* open( /* nested */ ) */ let b = #"socket("#
            """)
        #expect(text.tokens.map(\.text) == ["let", "a", "read", "x", "let", "b"])
    }

    @Test func functionExtentsCountLines() {
        let text = SwiftText("""
            protocol P { func a() ; var b: Int { get } }
            struct S {
                init(x: Int = { 1 }()) {
                    let s = "}"
                }
                func f() -> Int {
                    if true { return 1 }
                    return 0
                }
            }
            """)
        #expect(text.functions == [SwiftText.Function(name: "init", firstLine: 3, lastLine: 5),
                                   SwiftText.Function(name: "f", firstLine: 6, lastLine: 9)])
    }

    // MARK: One door to the kernel

    @Test func aKernelCallOutsideTheDoorFails() {
        let planted = File(path: "Sources/HostStats/Planted.swift", text: "func names() { let d = opendir(\"/proc\") }")
        #expect(TidyRules.kernelCallsOutsideTheDoor([planted])
                == ["Sources/HostStats/Planted.swift:1: opendir(…) outside Sources/PacketIO/Syscalls*.swift: add a function to the syscall layer and call it"])
    }

    @Test func aKernelCallInTheDoorOrAMethodPasses() {
        let door = File(path: "Sources/PacketIO/Syscalls+Planted.swift", text: "func names() { let d = opendir(\"/proc\") }")
        let method = File(path: "Sources/Engine/Planted.swift", text: "func f(s: S) { s.close(); Syscalls.read(1) }")
        let own = File(path: "Sources/Engine/Own.swift", text: "func read(_ i: Int) {}\nfunc g() { read(1) }")
        #expect(TidyRules.kernelCallsOutsideTheDoor([door, method, own]).isEmpty)
    }

    @Test func aGlibcQualifiedCallFailsEvenWhereTheNameIsOwn() {
        let planted = File(path: "Sources/Engine/Own.swift", text: "func read(_ i: Int) {}\nfunc g() { Glibc.read(1, nil, 0) }")
        #expect(TidyRules.kernelCallsOutsideTheDoor([planted]).count == 1)
    }

    // MARK: public only in PacketIO

    @Test func aPublicSymbolOutsidePacketIOFails() {
        let planted = File(path: "Sources/Engine/Planted.swift", text: "public struct Leak {}\npackage struct Fine {}")
        #expect(TidyRules.publicOutsidePacketIO([planted])
                == ["Sources/Engine/Planted.swift:1: public Leak outside PacketIO: use package (or list it in TidyRules.publicExceptions with the reason)"])
    }

    @Test func publicInPacketIOAndListedExceptionsPass() {
        let packetIO = File(path: "Sources/PacketIO/Planted.swift", text: "public struct Fine {}")
        let listed = File(path: "Sources/Reporting/LatencyHistogram.swift", text: "public struct LatencyHistogram {}")
        #expect(TidyRules.publicOutsidePacketIO([packetIO, listed]).isEmpty)
    }

    // MARK: The import graph

    static let doc = """
        | module | holds | may import | must not know about |
        | --- | --- | --- | --- |
        | `PacketIO` | sockets | `CMPPSLinux` | reports |
        | `Engine` | threads | `PacketIO`, `Reporting` | argument syntax |
        | `Reporting` | values | `PacketIO` | threads |
        """

    @Test func theGraphIsReadFromTheTable() {
        #expect(TidyRules.allowedImports(fromArchitecture: Self.doc)
                == ["PacketIO": ["CMPPSLinux"], "Engine": ["PacketIO", "Reporting"], "Reporting": ["PacketIO"]])
    }

    @Test func anImportTheMapForbidsFails() {
        let allowed = TidyRules.allowedImports(fromArchitecture: Self.doc)
        let planted = File(path: "Sources/Reporting/Planted.swift", text: "import PacketIO\nimport Engine\nimport Glibc")
        #expect(TidyRules.forbiddenImports([planted], package: "", allowed: allowed)
                == ["Sources/Reporting/Planted.swift:2: Reporting imports Engine, which ARCHITECTURE.md does not allow it"])
    }

    @Test func aManifestDependencyTheMapForbidsFails() {
        let allowed = TidyRules.allowedImports(fromArchitecture: Self.doc)
        let manifest = """
                .target(name: "Reporting", dependencies: ["PacketIO", "Engine"]),
                .target(name: "Plots", dependencies: ["PacketIO"]),
                .target(name: "NetLab", path: "Tests/NetLab"),
            """
        #expect(TidyRules.forbiddenImports([], package: manifest, allowed: allowed)
                == ["Package.swift: Reporting depends on Engine, which ARCHITECTURE.md does not allow it",
                    "Package.swift: target Plots has no row in ARCHITECTURE.md's module table"])
    }

    // MARK: No Foundation

    @Test func importingFoundationInSourcesFails() {
        let planted = File(path: "Sources/Plots/Planted.swift", text: "import PacketIO\nimport FoundationEssentials\n")
        let test = File(path: "Tests/PlotsTests/Planted.swift", text: "import Foundation\n")
        #expect(TidyRules.foundationImports([planted, test])
                == ["Sources/Plots/Planted.swift:2: imports FoundationEssentials: Sources/ link without Foundation (ARCHITECTURE.md says why)"])
    }

    // MARK: Names in the docs

    @Test func aTypeTheMapNamesThatIsGoneFails() {
        let doc = "Signals: `sigtimedwait` in `Monitor.run` and `StopWatch`; `SO_ERROR`, `mpps recv`."
        #expect(TidyRules.staleNames(inArchitecture: doc, declared: ["Monitor"])
                == ["ARCHITECTURE.md:1: names StopWatch, which no file declares: rename or remove it"])
        #expect(TidyRules.staleNames(inArchitecture: doc, declared: ["Monitor", "StopWatch"]).isEmpty)
    }

    // MARK: Short functions

    static func function(_ name: String, lines: Int) -> String {
        "func \(name)() {\n" + String(repeating: "    step()\n", count: lines - 2) + "}\n"
    }

    @Test func aNewLongFunctionFails() {
        let planted = File(path: "Sources/Engine/Planted.swift", text: Self.function("short", lines: 60) + Self.function("long", lines: 61))
        #expect(TidyRules.overlongFunctions([planted], allowed: [])
                == ["Sources/Engine/Planted.swift:61: long is 61 lines, over 60: split it"])
    }

    @Test func theAllowListOnlyShrinks() {
        let file = File(path: "Sources/Engine/Planted.swift", text: Self.function("long", lines: 70))
        let listed = TidyRules.LongFunction(path: "Sources/Engine/Planted.swift", name: "long", lines: 70)
        #expect(TidyRules.overlongFunctions([file], allowed: [listed]).isEmpty)
        // Grown past its entry: fails.
        let grown = File(path: file.path, text: Self.function("long", lines: 71))
        #expect(TidyRules.overlongFunctions([grown], allowed: [listed])
                == ["Sources/Engine/Planted.swift:1: long is 71 lines, over 60 (listed at 70: it may only shrink): split it"])
        // Split: the entry must go.
        let split = File(path: file.path, text: Self.function("long", lines: 40))
        #expect(TidyRules.overlongFunctions([split], allowed: [listed])
                == ["TidyRules.longFunctions: Sources/Engine/Planted.swift long is no longer over 60 lines: remove it from the list"])
    }
}

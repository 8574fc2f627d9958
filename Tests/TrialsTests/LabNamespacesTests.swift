#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Trials

/// Finding the namespaces an earlier, killed mpps left behind, by name alone.
@Suite struct LabNamespacesTests {
    @Test func theCreatorIsReadFromOurNamesOnly() {
        #expect(LabNamespaces.creator(ofNamespace: "mpps-1234-tx") == 1234)
        #expect(LabNamespaces.creator(ofNamespace: "mpps-1234-rx") == 1234)
        // The test suites' namespaces, other people's, and near misses are never ours.
        for name in ["mpps-lab-123401", "mpps-1234-ab", "mpps--tx", "mpps-12a4-rx", "mpps-0123-tx", "xmpps-1234-tx",
                     "mpps-1234-tx2", "mpps-99999999999-tx", "mpps-+12-tx", "mpps-１２-tx", "netns-1234-tx", ""] {
            #expect(LabNamespaces.creator(ofNamespace: name) == nil, "\(name)")
        }
    }

    @Test func onlyNamespacesOfProcessesNoLongerRunningAreLeftovers() {
        let running: Set<Int32> = [200]
        let names = ["mpps-100-tx", "mpps-100-rx", "mpps-200-tx", "mpps-200-rx", "mpps-lab-100", "other",
                     "mpps-\(getpid())-tx"]
        let found = LabNamespaces.leftovers(among: names, isRunning: { running.contains($0) })
        #expect(found == [LabNamespaces.Leftover(name: "mpps-100-tx", pid: 100), LabNamespaces.Leftover(name: "mpps-100-rx", pid: 100)])
    }

    @Test func thisProcessAndPID1AreRunning() {
        #expect(LabNamespaces.isRunning(getpid()))
        #expect(LabNamespaces.isRunning(1))
    }

    @Test func oneLineSaysWhatWasRemoved() {
        let one = [LabNamespaces.Leftover(name: "mpps-1234-tx", pid: 1234), LabNamespaces.Leftover(name: "mpps-1234-rx", pid: 1234)]
        #expect(LabNamespaces.removalLine(command: "mpps lab", removed: one, failures: [])
                == "mpps lab: removed 2 namespaces left by an earlier run (pid 1234, no longer running)")
        #expect(LabNamespaces.removalLine(command: "mpps ndr", removed: [one[0]], failures: [])
                == "mpps ndr: removed 1 namespace left by an earlier run (pid 1234, no longer running)")
        let two = one + [LabNamespaces.Leftover(name: "mpps-77-rx", pid: 77)]
        #expect(LabNamespaces.removalLine(command: "mpps lab", removed: two, failures: ["mpps-77-tx (busy)"])
                == "mpps lab: removed 3 namespaces left by earlier runs (pids 1234, 77, no longer running); could not remove mpps-77-tx (busy)")
        #expect(LabNamespaces.removalLine(command: "mpps lab", removed: [], failures: ["mpps-77-tx (busy)"])
                == "mpps lab: could not remove namespaces left by an earlier run no longer running: mpps-77-tx (busy)")
        #expect(LabNamespaces.removalLine(command: "mpps lab", removed: [], failures: []) == nil)
    }
}

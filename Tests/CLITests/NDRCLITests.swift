#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import NetLab

/// `mpps ndr` end to end on loopback, and in namespaces as root.
@Suite(.serialized) struct NDRCLITests {
    @Test func findsARateWhoseConfirmingTrialLostNothing() throws {
        // 100k: a quarter of what one unpaced sending thread offers here, so a busy machine (the suite's
        // other tests run beside it) still lets the sender keep every trial's rate.
        let result = try Program.run("mpps", ["ndr", "--trial", "0.5", "--steps", "4", "--max", "100k", "--json"], within: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        let objects = result.stdout.split(separator: "\n").compactMap { jsonObject(String($0)) }
        let trials = objects.filter { $0["type"] as? String == "trial" }
        JSONDocs.expectDocumented(lines: result.stdout, section: "ndr")
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        let rate = try #require(summary["rate"] as? Double)
        #expect(rate > 0 && rate <= 100_000, "\(result.stdout)")
        #expect(summary["confirmed"] as? Bool == true)
        #expect(summary["trials"] as? Int == trials.count)
        #expect(summary["loss"] as? Double == 0)
        // At most 4 search trials, then the confirmation (more only if a confirmation failed).
        #expect(trials.filter { $0["phase"] as? String == "search" }.count <= 4)
        #expect(trials.first?["offered"] as? Double == 100_000)
        let confirmation = try #require(trials.last)
        #expect(confirmation["phase"] as? String == "confirm")
        #expect(confirmation["offered"] as? Double == rate)
        #expect(confirmation["lost"] as? Int == 0)
        #expect(confirmation["passed"] as? Bool == true)
        #expect(confirmation["sent"] as? Int == confirmation["received"] as? Int)
        #expect(confirmation["sent"] as? Int == Int(rate * 0.5))
        for trial in trials {
            let sent = trial["sent"] as? Int ?? -1
            #expect(sent == (trial["received"] as? Int ?? 0) + (trial["lost"] as? Int ?? 0), "\(trial)")
        }
    }

    @Test func whenEvenTheMinimumFailsTheResultIsZero() throws {
        // No sender offers 50 million datagrams per second through loopback in time.
        let result = try Program.run("mpps", ["ndr", "--min", "50M", "--max", "50M", "--trial", "0.2"], within: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\ntrial 1      offered 50.000M"), "\(result.stdout)")
        #expect(result.stdout.contains("FAIL: the sender offered only"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix(" (1 trial)\n"), "\(result.stdout)")
        #expect(result.stdout.contains("result: 0 — no rate without loss: even --min 50.00M failed"), "\(result.stdout)")
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip (iproute2) and python3 for a network namespace")) func inNamespacesAndNothingLeft() throws {
        let ndr = try Program("mpps", ["ndr", "--netns", "--trial", "0.3", "--steps", "2", "--max", "100k", "--json"])
        let pid = ndr.process.processIdentifier
        #expect(ndr.finish(within: 60) == 0, "\(ndr.stderr)")
        let summary = try #require(ndr.stdoutLines.last.flatMap(jsonObject))
        #expect(summary["type"] as? String == "summary")
        #expect((summary["rate"] as? Double ?? 0) > 0, "\(ndr.stdout)")
        #expect(LabCLITests.namespaces().filter { $0.hasPrefix("mpps-\(pid)-") }.isEmpty)
        #expect(LabCLITests.processes(mentioning: "198.18.0.1:4321").isEmpty)
    }
}

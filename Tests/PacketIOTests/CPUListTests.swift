#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

@Suite("CPUList parsing, validation and pinning")
struct CPUListTests {
    @Test func parsesRangesAndSingles() throws {
        let list = try CPUList(parsing: "0-3,8,10-11")
        #expect(list.cpus == [0, 1, 2, 3, 8, 10, 11])
        #expect(list.description == "0-3,8,10-11")
    }

    @Test(arguments: [
        ("0", [0], "0"),
        ("0-0", [0], "0"),
        ("3,1,2", [1, 2, 3], "1-3"),
        ("5,5,5", [5], "5"),
        ("0-2,1-4,4", [0, 1, 2, 3, 4], "0-4"),
        ("1,3,5,6", [1, 3, 5, 6], "1,3,5-6"),
        ("1023", [1023], "1023"),
        ("000012", [12], "12"),
    ])
    func normalisesToTheShortestForm(_ text: String, cpus: [Int], shortest: String) throws {
        let list = try CPUList(parsing: text)
        #expect(list.cpus == cpus)
        #expect(list.description == shortest)
        #expect(try CPUList(parsing: list.description) == list)
    }

    @Test func arrayInitializerSortsAndDeduplicates() {
        let list = CPUList([7, 2, 2, 3, 1, 7])
        #expect(list.cpus == [1, 2, 3, 7])
        #expect(list.description == "1-3,7")
        #expect(CPUList([]).description == "")
    }

    @Test(arguments: [
        ("", "empty CPU list: write CPUs like 0-3,8"),
        ("a", "bad CPU list 'a' at 'a': write CPUs like 0-3,8,10-11"),
        ("3-1", "bad CPU range '3-1' in '3-1': the first CPU must not exceed the last"),
        ("0,5-2", "bad CPU range '5-2' in '0,5-2': the first CPU must not exceed the last"),
        ("1,,2", "bad CPU list '1,,2' at '': write CPUs like 0-3,8,10-11"),
        ("1,", "bad CPU list '1,' at '': write CPUs like 0-3,8,10-11"),
        ("-1", "bad CPU list '-1' at '-1': write CPUs like 0-3,8,10-11"),
        ("1-", "bad CPU list '1-' at '1-': write CPUs like 0-3,8,10-11"),
        ("1-2-3", "bad CPU list '1-2-3' at '1-2-3': write CPUs like 0-3,8,10-11"),
        (" 1", "bad CPU list ' 1' at ' 1': write CPUs like 0-3,8,10-11"),
        ("0-1\n", "bad CPU list '0-1\n' at '0-1\n': write CPUs like 0-3,8,10-11"),
        ("1024", "CPU 1024 in '1024' is beyond the largest CPU number Linux supports here (1023)"),
        ("0-5000", "CPU 5000 in '0-5000' is beyond the largest CPU number Linux supports here (1023)"),
        ("99999999999", "bad CPU list '99999999999' at '99999999999': write CPUs like 0-3,8,10-11"),
    ])
    func rejects(_ text: String, with message: String) {
        let error = #expect(throws: CPUListError.self) { try CPUList(parsing: text) }
        #expect(error?.description == message)
    }

    @Test func validateAgainstAGivenList() throws {
        let allowed = try CPUList(parsing: "0-1,4")
        #expect(throws: Never.self) { try CPUList([0, 4]).validate(against: allowed) }
        #expect(throws: Never.self) { try CPUList([]).validate(against: allowed) }
        let error = #expect(throws: CPUListError.self) { try CPUList([1, 2, 3]).validate(against: allowed) }
        #expect(error?.description == "CPU 2 is not available to this process: choose from 0-1,4")
    }

    @Test func allowedMatchesTheKernelsViewAndContainsTheCurrentCPU() throws {
        let allowed = CPUList.allowed()
        #expect(!allowed.cpus.isEmpty)
        #expect(allowed.cpus.contains(CPUList.currentCPU()))
        #expect(throws: Never.self) { try allowed.validate() }
        // thread-self: this thread's own mask, whatever other tests do to theirs.
        // The test is synchronous, so it stays on one thread throughout.
        let status = try #require(readTextFile("/proc/thread-self/status"))
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let kernelText = line.dropFirst("Cpus_allowed_list:".count).drop(while: { $0 == "\t" || $0 == " " })
        #expect(try CPUList(parsing: String(kernelText)) == allowed)
    }

    @Test func pinningMovesTheThreadToEachAllowedCPU() throws {
        let allowed = CPUList.allowed().cpus
        try #require(!allowed.isEmpty)
        for cpu in allowed.prefix(16) {
            // A fresh thread, so no runner thread stays pinned after the test.
            let (pinnedMask, seenOn, errorText) = onFreshThread { () -> ([Int], Int, String?) in
                do throws(Errno) {
                    try CPUList([cpu]).pinCurrentThread()
                } catch {
                    return ([], -1, error.description)
                }
                return (CPUList.allowed().cpus, CPUList.currentCPU(), nil)
            }
            #expect(errorText == nil)
            #expect(pinnedMask == [cpu])
            #expect(seenOn == cpu)
        }
        // The runner thread's own mask is untouched.
        #expect(CPUList.allowed().cpus == allowed)
    }

    @Test func pinningToNoCPUFailsWithEINVAL() {
        let error = onFreshThread { () -> Errno? in
            do throws(Errno) {
                try CPUList([]).pinCurrentThread()
                return nil
            } catch {
                return error
            }
        }
        #expect(error == .invalidArgument)
        #expect(error?.description == "invalid argument")
    }
}

#if DEBUG  // FaultInjection exists in debug builds only.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

// getaddrinfo and clock_nanosleep go through the syscall layer, so a test can
// make them fail as the resolver or a signal would.
@Suite struct ResolverAndClockFaultTests {
    @Test func aResolverFailureIsOneClearLine() {
        let rule = FaultInjection.failOnThisThread(.getaddrinfo, with: EAI_AGAIN)
        defer { FaultInjection.remove(rule) }
        let error = #expect(throws: AddressError.self) { try SocketAddress(parsing: "receiver.example:4321") }
        #expect(error?.description == "cannot resolve host 'receiver.example' in 'receiver.example:4321' "
                + "(Temporary failure in name resolution): use a numeric address such as 127.0.0.1")
        #expect(FaultInjection.remaining(rule) == 0)
    }

    @Test func aNumericAddressNeverAsksTheResolver() throws {
        let rule = FaultInjection.failOnThisThread(.getaddrinfo, with: EAI_FAIL)
        defer { FaultInjection.remove(rule) }
        #expect(try SocketAddress(parsing: "127.0.0.1:4321") == SocketAddress(ipv4: 127, 0, 0, 1, port: 4321))
        #expect(FaultInjection.remaining(rule) == 1)
    }

    @Test func aSleepInterruptedBySignalsStillReachesItsDeadline() {
        let rule = FaultInjection.failOnThisThread(.clockNanosleep, with: EINTR, times: 3)
        defer { FaultInjection.remove(rule) }
        let deadline = MonotonicClock.now() + 2_000_000
        MonotonicClock.sleep(until: deadline)
        #expect(MonotonicClock.now() >= deadline)
        #expect(FaultInjection.remaining(rule) == 0)
    }
}
#endif

#if DEBUG  // FaultInjection exists in debug builds only.
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Synchronization
import HostStats
import PacketIO

// HostFiles' directory and link reads go through the syscall layer, so a test
// can make a live /proc or /sys read fail the way a racing kernel does.
@Suite struct HostFilesFaultTests {
    /// Fails `call` on this thread's `nth` call of it (from 1), and only that one.
    static func failOnThisThread(_ call: SystemCall, _ code: Int32, onCall nth: Int) -> Int {
        let me = pthread_self()
        let calls = Atomic<Int>(0)
        return FaultInjection.fail(call, with: code) { _ in
            pthread_equal(pthread_self(), me) != 0 && calls.add(1, ordering: .relaxed).newValue == nth
        }
    }

    @Test func aProcDirectoryThatVanishesMidReadIsAnErrorNamingIt() {
        // The second readdir fails as it does when the process behind /proc/PID ends between two reads.
        let rule = Self.failOnThisThread(.readdir, ENOENT, onCall: 2)
        defer { FaultInjection.remove(rule) }
        #expect(throws: HostReadError(subject: "/proc/self/task", errno: ENOENT)) {
            try HostFiles(root: "/").list("/proc/self/task")
        }
        #expect(FaultInjection.remaining(rule) == 0)
        #expect(HostReadError(subject: "/proc/self/task", errno: ENOENT).description
                == "could not read /proc/self/task: no such file or directory")
    }

    @Test func theSameDirectoryReadWholeListsThisThread() throws {
        let names = try HostFiles(root: "/").list("/proc/self/task")
        #expect(names.contains(String(Syscalls.currentThreadID())))
        #expect(!names.contains(".") && !names.contains(".."))
    }

    @Test func aLinkThatCannotBeReadIsAnErrorNamingIt() {
        let rule = FaultInjection.failOnThisThread(.readlink, with: EACCES)
        defer { FaultInjection.remove(rule) }
        #expect(throws: HostReadError(subject: "/proc/self/exe", errno: EACCES)) {
            try HostFiles(root: "/").link("/proc/self/exe")
        }
    }

    @Test func aVanishingInterfaceListFailsTheInterfaceReadWithItsPath() {
        let rule = Self.failOnThisThread(.opendir, ENOENT, onCall: 1)
        defer { FaultInjection.remove(rule) }
        #expect(throws: HostReadError(subject: "/sys/class/net", errno: ENOENT)) {
            try NetworkInterface.names(HostFiles(root: "/"))
        }
    }
}
#endif

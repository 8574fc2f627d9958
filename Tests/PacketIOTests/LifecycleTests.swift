#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import PacketIO

/// Stopping and waking receiving threads: a blocked receive ends when its socket
/// is shut down, a polling loop when its waker is woken, and a reuseport group's
/// threads when the group stops, with every datagram counted. None of these sockets
/// has a receive timeout, so only the wake can end a wait: the outcome says which wake
/// it was, and the time bounds (`wakeBound`) only catch a wait the wake did not end,
/// with room left for a sanitizer on a busy machine.
@Suite struct LifecycleTests {
    /// Nanoseconds a woken thread may take to leave: seconds, not the milliseconds it takes.
    static let wakeBound: UInt64 = 5_000_000_000

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aBlockedReceiveWakesWhenItsSocketIsShutDown(family: SocketAddress.Family) throws {
        let receiver = SocketBox(try boundLoopbackSocket(family))
        let probe = ThreadProbe()
        let outcome = Mutex<String>("")
        let thread = try NativeThread {
            var batch = ReceiveBatch(capacity: 4)
            probe.enter()
            do {
                let n = try batch.receive(from: receiver.socket)
                outcome.withLock { $0 = "returned \(n)" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
            probe.leave()
        }
        try probe.waitUntilBlocked()
        let asked = MonotonicClock.now()
        try receiver.socket.shutdownReceiving()
        thread.join()
        let took = probe.leftAt - asked
        #expect(outcome.withLock { $0 } == "recvmmsg: the socket was shut down for reading")
        #expect(took < Self.wakeBound, "woke after \(took / 1_000_000) ms")
    }

    @Test func aPollingLoopCountsEveryDatagramAndEndsWhenWoken() throws {
        let receiver = SocketBox(try boundLoopbackSocket(.inet))
        try receiver.socket.setNonBlocking(true)
        #expect(try receiver.socket.isNonBlocking)
        let waker = try Waker()
        let probe = ThreadProbe()
        let counted = Atomic<Int>(0)
        let thread = try NativeThread {
            var batch = ReceiveBatch(capacity: 8)
            var poll = PollSet(capacity: 2)
            let socketIndex = poll.watch(receiver.socket)
            let wakerIndex = poll.watch(waker)
            while true {
                while let n = try? batch.receive(from: receiver.socket), n > 0 {
                    counted.add(batch.totalDatagramCount(), ordering: .relaxed)
                }
                probe.enter()
                _ = try? poll.wait()
                let woken = poll.isReadable(wakerIndex), readable = poll.isReadable(socketIndex)
                if woken { break }
                #expect(readable)
            }
            probe.leave()
        }
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.socket.localAddress())
        let bytes: [UInt8] = [1, 2, 3]
        for _ in 0..<25 { try bytes.withUnsafeBytes { _ = try sender.send($0) } }
        #expect(waitFor(seconds: 10) { counted.load(ordering: .relaxed) == 25 })
        try probe.waitUntilBlocked()
        let asked = MonotonicClock.now()
        waker.wake()
        thread.join()
        #expect(counted.load(ordering: .relaxed) == 25)
        #expect(waker.reset())
        #expect(!waker.reset())
        #expect(probe.leftAt - asked < Self.wakeBound, "woke after \((probe.leftAt - asked) / 1_000_000) ms")
    }

    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aReusePortGroupsThreadsCountEveryFlowAndStopTogether(family: SocketAddress.Family) throws {
        let group = try ReusePortGroup(binding: loopback(family), count: 2) { socket throws(SocketError) in
            try socket.setReceiveBufferSize(4 << 20)
        }
        #expect(group.localAddress.port != 0)
        let perThread = (0..<2).map { _ in AtomicCount() }
        let probes = (0..<2).map { _ in ThreadProbe() }
        // Which thread saw each flow (the sender's port): a flow must stay on one socket.
        let flowsSeen = Mutex<[UInt16: Set<Int>]>([:])
        try group.start { socket, index in
            var batch = ReceiveBatch(capacity: 32)
            defer { probes[index].leave() }
            while true {
                probes[index].enter()
                let n = try batch.receive(from: socket)
                batch.forEachDatagram { datagram in
                    let port = datagram.source?.port ?? 0
                    flowsSeen.withLock { _ = $0[port, default: []].insert(index) }
                }
                perThread[index].add(batch.totalDatagramCount())
                _ = n
            }
        }
        let flows = 8, perFlow = 500
        var senders: [SocketBox] = []
        for _ in 0..<flows {
            let sender = try UDPSocket(family: family)
            try sender.connect(to: group.localAddress)
            senders.append(SocketBox(sender))
        }
        let batch = SendBatch(capacity: 50, payloadSize: 16)
        for sender in senders {
            for _ in 0..<(perFlow / 50) {
                var sent = 0
                while sent < 50 { sent += try batch.send(on: sender.socket, from: sent, to: 50) }
            }
        }
        let total = flows * perFlow
        #expect(waitFor(seconds: 20) { perThread.reduce(0) { $0 + $1.value } == total })
        for probe in probes { try probe.waitUntilBlocked() }
        let asked = MonotonicClock.now()
        group.stop()
        try group.wait()
        #expect(perThread.map(\.value).reduce(0, +) == total)
        #expect(try group.dropCount() == 0)
        let seen = flowsSeen.withLock { $0 }
        #expect(seen.count == flows)
        #expect(seen.values.allSatisfy { $0.count == 1 })
        let slowest = probes.map(\.leftAt).max()! - asked
        #expect(slowest < Self.wakeBound, "the last thread ended \(slowest / 1_000_000) ms after stop()")
        #expect(group.isStopped)
    }

    struct Refused: Error, Equatable {}

    @Test func aFailingThreadStopsItsGroupAndWaitThrowsItsError() throws {
        let group = try ReusePortGroup(binding: loopback(.inet), count: 2)
        try group.start { socket, index in
            var batch = ReceiveBatch(capacity: 4)
            if index == 1 { throw Refused() }
            while true { _ = try batch.receive(from: socket) }
        }
        #expect(throws: Refused.self) { try group.wait() }
        #expect(group.isStopped)
    }

    @Test func aGroupThatCannotBindItsSecondSocketClosesTheFirstTwo() throws {
        // Fail this thread's second bind; note the inode of every socket the group binds.
        let thread = Syscalls.currentThreadID()
        let binds = CallCounter()
        let inodes = Mutex<[UInt64]>([])
        let rule = FaultInjection.fail(.bind, with: EADDRINUSE, where: { descriptor in
            guard Syscalls.currentThreadID() == thread else { return false }
            var status = stat()
            if fstat(descriptor, &status) == 0 { inodes.withLock { $0.append(UInt64(status.st_ino)) } }
            return binds.isCall(2)
        })
        defer { FaultInjection.remove(rule) }
        let error = caught { () throws(SocketError) in
            _ = try ReusePortGroup(binding: loopback(.inet), count: 3)
        }
        #expect(error?.errno == Errno(rawValue: EADDRINUSE))
        #expect(error?.description == "bind: address already in use")
        let ours = inodes.withLock { $0 }
        #expect(ours.count == 2)
        // Socket inodes are never reused while the process runs: none of ours may remain.
        #expect(openSocketInodes().isDisjoint(with: ours))
    }
}

/// A thread's way in and out of a blocking call, as a test observes it:
/// its kernel thread id, whether it is about to block, and when it left.
final class ThreadProbe: @unchecked Sendable {
    private let state = Mutex<(tid: Int32, inside: Bool, leftAt: UInt64)>((0, false, 0))

    /// Called by the thread just before the blocking call.
    func enter() { state.withLock { $0 = (Syscalls.currentThreadID(), true, 0) } }
    /// Called by the thread once the call returned for good.
    func leave() { state.withLock { $0.inside = false; $0.leftAt = MonotonicClock.now() } }
    /// The monotonic time at which the thread left.
    var leftAt: UInt64 { state.withLock { $0.leftAt } }

    /// Waits (up to 10 s) until the thread entered and the kernel shows it sleeping.
    func waitUntilBlocked() throws {
        let ready = waitFor(seconds: 10) {
            let (tid, inside, _) = self.state.withLock { $0 }
            guard inside, tid > 0, let stat = readTextFile("/proc/self/task/\(tid)/stat"),
                  let close = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(close, offsetBy: 2)] == "S"
        }
        try #require(ready, "the thread never blocked")
    }
}

/// A count several threads add to.
final class AtomicCount: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// The inodes of the sockets this process has open ("socket:[N]" in /proc/self/fd).
func openSocketInodes() -> Set<UInt64> {
    guard let directory = opendir("/proc/self/fd") else { return [] }
    defer { closedir(directory) }
    var inodes: Set<UInt64> = []
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var target = [CChar](repeating: 0, count: 64)
        let length = readlink("/proc/self/fd/\(name)", &target, 63)
        guard length > 0 else { continue }
        let text = String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("socket:["), let inode = UInt64(text.dropFirst(8).dropLast()) { inodes.insert(inode) }
    }
    return inodes
}

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// N UDP sockets bound to one address as an `SO_REUSEPORT` group, and one
/// thread per socket that owns it while it runs: the shape of a multi-threaded
/// UDP server, and the way to hand each thread its own ``UDPSocket`` (which,
/// being `~Copyable`, cannot go into an array or a thread's closure by itself).
///
/// ```swift
/// StopSignals.block()
/// let group = try ReusePortGroup(binding: address, count: 4) { socket throws(SocketError) in
///     try socket.setReceiveBufferSize(4 << 20)
/// }
/// try group.start(cpus: CPUList([0, 1, 2, 3])) { socket, index in
///     var batch = ReceiveBatch(capacity: 64)
///     while true {
///         let n = try batch.receive(from: socket)  // throws Errno.shutDown after stop()
///         ...
///     }
/// }
/// _ = StopSignals.wait()
/// group.stop()
/// try group.wait()
/// ```
///
/// The group owns the sockets from `init` until it ends, so a descriptor is never
/// closed while a thread or ``stop()`` may still use it. ``stop()`` shuts every
/// socket down for reading: each thread blocked in a receive wakes at once, gets
/// what was already queued, and then ``Errno/shutDown``, which the group takes as
/// the thread's clean end. The kernel spreads flows across the sockets by a hash
/// of their addresses, or by a ``ReusePortSteering`` program.
public final class ReusePortGroup: @unchecked Sendable {
    // Safety: each socket is used by exactly one thread, the one that runs it, from
    // start() until wait() has joined it; stop() and the counters read only the
    // descriptors, which never change. The sockets end in deinit, after every join.

    /// The number of sockets, and of threads ``start(cpus:_:)`` runs.
    public let count: Int
    /// The address every socket is bound to, with the port the kernel chose when it was 0.
    public let localAddress: SocketAddress
    /// Each socket's descriptor, by index: for the kernel's per-socket counters
    /// (``UDPSocket/dropCount(descriptor:)``). Valid while the group lives.
    public let descriptors: [Int32]

    private let sockets: UnsafeMutablePointer<UDPSocket>
    private let stopped = Atomic<Bool>(false)
    private let threads = Mutex<[NativeThread]>([])
    private let failures = Mutex<[(Int, any Error)]>([])

    /// Opens `count` sockets for `address`'s family, each with `SO_REUSEPORT`,
    /// calls `configure` on each before binding (buffers, GRO, destinations), binds
    /// them all to `address` (the first one's port when `address` has port 0), then
    /// attaches `steering`, if given, to the group.
    /// Every error comes from here, before any thread starts; nothing stays open after one.
    /// The corresponding C calls are `socket(2)`, `setsockopt(SO_REUSEPORT)` and `bind(2)`.
    /// - Precondition: 1 ≤ `count` ≤ 1024.
    public init(binding address: SocketAddress, count: Int, steering: ReusePortSteering? = nil,
                configure: (borrowing UDPSocket) throws(SocketError) -> Void = { _ throws(SocketError) in })
        throws(SocketError) {
        precondition(count >= 1 && count <= 1024, "a reuseport group has 1...1024 sockets")
        let sockets = UnsafeMutablePointer<UDPSocket>.allocate(capacity: count)
        var opened = 0
        do throws(SocketError) {
            var bound = address
            while opened < count {
                let socket = try UDPSocket(family: address.family)
                (sockets + opened).initialize(to: socket)
                opened += 1
                try sockets[opened - 1].setReusePort(true)
                try configure(sockets[opened - 1])
                try sockets[opened - 1].bind(to: bound)
                if opened == 1 { bound = try sockets[0].localAddress() }
            }
            if let steering { try steering.attach(to: sockets[0], groupSize: count) }
            localAddress = bound
        } catch {
            sockets.deinitialize(count: opened)
            sockets.deallocate()
            throw error
        }
        self.count = count
        self.sockets = sockets
        descriptors = (0..<count).map { sockets[$0].descriptor }
    }

    deinit {
        stop()
        for thread in threads.withLock({ $0 }) { thread.join() }
        sockets.deinitialize(count: count)
        sockets.deallocate()
    }

    /// Starts one thread per socket, pinned to `cpus[i % cpus.count]` when given,
    /// that runs `body(&socket, i)` until it returns or throws. Returns once every
    /// thread has started; ``wait()`` joins them. Call it once.
    ///
    /// A body that throws anything but ``Errno/shutDown`` stops the group (the other
    /// threads' receives end), and ``wait()`` throws that error.
    /// The corresponding C functions are `pthread_create(3)` and `pthread_setaffinity_np(3)`.
    public func start(cpus: CPUList? = nil,
                      _ body: @escaping @Sendable (inout UDPSocket, _ index: Int) throws -> Void) throws(Errno) {
        precondition(threads.withLock { $0.isEmpty }, "a ReusePortGroup starts once")
        precondition(cpus.map { !$0.cpus.isEmpty } ?? true, "an empty CPU list pins nothing")
        for index in 0..<count {
            let cpu = cpus.map { $0.cpus[index % $0.cpus.count] }
            let thread: NativeThread
            do throws(Errno) {
                thread = try NativeThread(pinnedTo: cpu, pinFailed: { [self] error in fail(index, error) }) { [self] in
                    do {
                        try body(&sockets[index], index)
                    } catch let error as SocketError where error.errno == .shutDown {
                        // The thread's socket was shut down: its clean end.
                    } catch {
                        fail(index, error)
                    }
                }
            } catch {
                stop()
                throw error
            }
            threads.withLock { $0.append(thread) }
        }
    }

    /// Runs ``start(cpus:_:)`` and then ``wait()``: the calling thread blocks until
    /// every thread has returned, so another thread (a signal waiter, say) calls ``stop()``.
    public func run(cpus: CPUList? = nil, _ body: @escaping @Sendable (inout UDPSocket, _ index: Int) throws -> Void) throws {
        try start(cpus: cpus, body)
        try wait()
    }

    /// Waits for every thread to return. Throws the first failure by thread
    /// index (a thread whose pinning the kernel refused fails with that ``Errno``).
    public func wait() throws {
        for thread in threads.withLock({ $0 }) { thread.join() }
        if let first = failures.withLock({ $0.min { $0.0 < $1.0 } }) { throw first.1 }
    }

    /// Asks every thread to end: shuts each socket down for reading, which wakes
    /// a thread blocked in a receive at once (``UDPSocket/shutdownReceiving()``).
    /// Safe from any thread, any number of times; sending still works.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for descriptor in descriptors { try? Syscalls.shutdownReading(descriptor) }
    }

    /// Whether ``stop()`` was called, or a thread failed.
    public var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Packets the kernel dropped at the group's sockets so far, summed (``UDPSocket/dropCount``).
    public func dropCount() throws(SocketError) -> UInt64 {
        var total: UInt64 = 0
        for descriptor in descriptors { total = total.addingSaturating(try UDPSocket.dropCount(descriptor: descriptor)) }
        return total
    }

    private func fail(_ index: Int, _ error: any Error) {
        failures.withLock { $0.append((index, error)) }
        stop()
    }
}

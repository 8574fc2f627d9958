#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The datagrams a socket receives, as an `AsyncSequence` for code written with
/// async/await: a dedicated thread (pinned when asked) receives in batches with
/// `recvmmsg` and hands each batch over as a ``DatagramBatch``, so no task of the
/// cooperative pool ever blocks in the kernel.
///
/// ```swift
/// let stream = try DatagramStream(socket: socket)
/// for try await batch in stream {
///     for datagram in batch { try stream.send(datagram.payload, to: datagram.source!) }
/// }
/// ```
///
/// **Backpressure.** At most `bufferedBatches` batches wait for the consumer; when
/// they are all waiting, the thread stops reading, the socket's receive buffer
/// fills, and the kernel drops what does not fit, counted by ``dropCount``.
///
/// **Stopping.** ``stop()`` (or cancelling the task that iterates, or the stream's
/// end) shuts the socket down for reading: the thread wakes at once, hands over what
/// was queued in the socket, and the sequence ends after the batches already waiting.
/// An error other than the end ends the sequence by being thrown from `next()`.
///
/// **Cost.** Each batch is copied once out of the receive storage into arrays
/// the consumer owns (two allocations per batch, none per datagram), and handed
/// over through a lock: BENCHMARKS.md gives the price against a plain thread loop.
public final class DatagramStream: AsyncSequence, @unchecked Sendable {
    // Safety: the socket is used for receiving only by the thread, and for sending
    // (thread-safe in the kernel) and counters through its descriptor, which never
    // changes; it ends in deinit, after the thread has been joined.
    /// What each step of the iteration gives: the datagrams of one receive call.
    public typealias Element = DatagramBatch

    /// The socket's descriptor, valid while the stream lives.
    public let descriptor: Int32
    private let socket: UnsafeMutablePointer<UDPSocket>
    private let channel: BatchChannel
    private let thread: NativeThread

    /// Takes `socket` and starts the receiving thread, pinned to `cpu` when given.
    /// - Parameters:
    ///   - batchCapacity: messages per `recvmmsg` (1...1024).
    ///   - slotSize: bytes per message; ``ReceiveBatch/coalescedSlotSize`` with UDP GRO.
    ///   - bufferedBatches: batches that may wait for the consumer before the thread stops reading.
    /// Throws when no eventfd or thread can be had (`eventfd`, `pthread_create`).
    /// The corresponding C functions are `eventfd(2)`, `pthread_create(3)` and `recvmmsg(2)`.
    public init(socket: consuming UDPSocket, batchCapacity: Int = 64, slotSize: Int = 2048,
                bufferedBatches: Int = 8, cpu: Int? = nil) throws(SocketError) {
        precondition(bufferedBatches >= 1, "at least one batch must be able to wait")
        descriptor = socket.descriptor
        let owned = UnsafeMutablePointer<UDPSocket>.allocate(capacity: 1)
        owned.initialize(to: socket)
        do throws(SocketError) {
            let channel = try BatchChannel(capacity: bufferedBatches, descriptor: owned.pointee.descriptor)
            let receiver = BatchReceiver(socket: owned, channel: channel, batchCapacity: batchCapacity, slotSize: slotSize)
            do throws(Errno) {
                thread = try NativeThread(pinnedTo: cpu, pinFailed: { channel.finish(throwing: $0) }) { receiver.run() }
            } catch {
                throw SocketError("pthread_create", code: error.rawValue)
            }
            self.channel = channel
        } catch {
            owned.deinitialize(count: 1)
            owned.deallocate()
            throw error
        }
        self.socket = owned
    }

    deinit {
        stop()
        thread.join()
        socket.deinitialize(count: 1)
        socket.deallocate()
    }

    /// Ends the stream: the thread stops receiving; the batches already waiting are
    /// still delivered, then the sequence ends. Safe from any thread or task, any number of times.
    public func stop() {
        channel.stop()
    }

    /// Sends one datagram from this stream's socket (its port, as a reply must come
    /// from), from any task or thread. Returns the bytes sent.
    /// The corresponding C function is `sendto(2)`.
    @discardableResult
    public func send(_ bytes: some Collection<UInt8>, to address: SocketAddress) throws(SocketError) -> Int {
        // Safety: a shared borrow, as the receiving thread's; sending reads only the descriptor.
        try socket.pointee.send(bytes, to: address)
    }

    /// Packets the kernel dropped at the socket so far (``UDPSocket/dropCount``).
    public var dropCount: UInt64 {
        get throws(SocketError) { try UDPSocket.dropCount(descriptor: descriptor) }
    }

    /// The iterator; `next()` waits without blocking a thread.
    public func makeAsyncIterator() -> Iterator { Iterator(stream: self) }

    /// Waits for the next batch; nil once the stream has ended.
    public struct Iterator: AsyncIteratorProtocol {
        let stream: DatagramStream

        /// The next batch, waiting for one if none is ready; nil at the end.
        /// Cancelling the waiting task stops the stream.
        public mutating func next() async throws -> DatagramBatch? {
            let channel = stream.channel
            return try await withTaskCancellationHandler {
                try await channel.next()
            } onCancel: {
                channel.stop()
            }
        }
    }
}

/// The thread's side: receive, copy, hand over, wait for room when the consumer lags.
final class BatchReceiver: @unchecked Sendable {
    // Safety: run() is the only user of the socket's receiving side and of the batch.
    private let socket: UnsafeMutablePointer<UDPSocket>
    private let channel: BatchChannel
    private let batchCapacity: Int
    private let slotSize: Int

    init(socket: UnsafeMutablePointer<UDPSocket>, channel: BatchChannel, batchCapacity: Int, slotSize: Int) {
        self.socket = socket
        self.channel = channel
        self.batchCapacity = batchCapacity
        self.slotSize = slotSize
    }

    func run() {
        var batch = ReceiveBatch(capacity: batchCapacity, slotSize: slotSize)
        // After stop() the socket is shut down: the receives drain its queue, then
        // throw shutDown, so every datagram the kernel queued is handed over.
        while true {
            do throws(SocketError) {
                if try batch.receive(from: socket.pointee) == 0 { continue }
            } catch where error.errno == .shutDown {
                break
            } catch {
                channel.finish(throwing: error)
                return
            }
            channel.put(DatagramBatch(copying: batch))
        }
        channel.finish(throwing: nil)
    }
}

/// The hand-over between the receiving thread and the consuming task: a bounded
/// queue under a lock, a waiting continuation, and a waker for the thread.
final class BatchChannel: Sendable {
    private struct State {
        var queue: [DatagramBatch] = []
        var waiting: CheckedContinuation<DatagramBatch?, any Error>?
        var stopped = false
        var finished = false
        var producerWaiting = false
        var failure: (any Error)?
    }

    private let state = Mutex(State())
    private let room: Waker
    private let capacity: Int
    private let descriptor: Int32

    init(capacity: Int, descriptor: Int32) throws(SocketError) {
        self.capacity = capacity
        self.descriptor = descriptor
        room = try Waker()
    }

    /// Hands `batch` to a waiting consumer or queues it, waiting for room while the
    /// queue is full; false when the stream stopped (the batch is queued all the same:
    /// what the kernel gave is delivered, never dropped here).
    @discardableResult
    func put(_ batch: DatagramBatch) -> Bool {
        while true {
            let (handed, queued, stopped) = state.withLock { state -> (CheckedContinuation<DatagramBatch?, any Error>?, Bool, Bool) in
                if state.stopped {
                    state.queue.append(batch)
                    return (nil, true, true)
                }
                if let waiting = state.waiting {
                    state.waiting = nil
                    return (waiting, false, false)
                }
                if state.queue.count < capacity {
                    state.queue.append(batch)
                    return (nil, true, false)
                }
                state.producerWaiting = true
                return (nil, false, false)
            }
            if stopped { return false }
            if let handed {
                handed.resume(returning: batch)
                return true
            }
            if queued { return true }
            // Full: wait until the consumer takes one (or stop() wakes us).
            room.wait()
        }
    }

    /// The next batch for the consumer: a queued one, or the next one put, or nil at the end.
    func next() async throws -> DatagramBatch? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DatagramBatch?, any Error>) in
            let (ready, wakeProducer) = state.withLock { state -> (Result<DatagramBatch?, any Error>?, Bool) in
                precondition(state.waiting == nil, "a DatagramStream has one consumer at a time")
                if !state.queue.isEmpty {
                    defer { state.producerWaiting = false }
                    return (.success(state.queue.removeFirst()), state.producerWaiting)
                }
                if state.finished || state.stopped {
                    defer { state.failure = nil }
                    return (state.failure.map { .failure($0) } ?? .success(nil), false)
                }
                state.waiting = continuation
                return (nil, false)
            }
            if wakeProducer { room.wake() }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Stops the stream: wakes the thread (its socket's receive and its wait for
    /// room) and a waiting consumer, which gets nil.
    func stop() {
        let waiting = state.withLock { state -> CheckedContinuation<DatagramBatch?, any Error>? in
            state.stopped = true
            defer { state.waiting = nil }
            return state.waiting
        }
        try? Syscalls.shutdownReading(descriptor)
        room.wake()
        waiting?.resume(returning: nil)
    }

    /// The thread ended, with `error` or cleanly: a waiting consumer learns it now.
    func finish(throwing error: (any Error)?) {
        let waiting = state.withLock { state -> CheckedContinuation<DatagramBatch?, any Error>? in
            state.finished = true
            if state.waiting == nil { state.failure = error }
            defer { state.waiting = nil }
            return state.waiting
        }
        guard let waiting else { return }
        if let error { waiting.resume(throwing: error) } else { waiting.resume(returning: nil) }
    }
}

/// The datagrams of one receive call, copied out of the receive storage so that a
/// task can keep them: a collection of ``Datagram``s in arrival order, coalesced
/// UDP GRO messages already split. Sendable: it can cross tasks and threads.
public struct DatagramBatch: RandomAccessCollection, Sendable {
    /// One datagram: its bytes and where it came from and went.
    public struct Datagram: Sendable {
        /// The payload (a slice of the batch's one byte array).
        public let payload: ArraySlice<UInt8>
        /// The sender; nil when the kernel gave no address.
        public let source: SocketAddress?
        /// Where it was sent (port 0), when the receive storage recorded destinations.
        public let destination: SocketAddress?
        /// Whether its message was longer than the receive slot and lost its tail.
        public let isTruncated: Bool
    }

    private struct Entry: Sendable {
        let offset: Int
        let length: Int
        let source: SocketAddress?
        let destination: SocketAddress?
        let isTruncated: Bool
    }

    private let bytes: [UInt8]
    private let entries: [Entry]

    /// Copies every datagram of `batch`'s last receive (two allocations, whatever the count).
    public init(copying batch: borrowing ReceiveBatch) {
        var entries: [Entry] = []
        entries.reserveCapacity(batch.totalDatagramCount())
        var offset = 0
        bytes = [UInt8](unsafeUninitializedCapacity: batch.totalLength()) { buffer, initialized in
            batch.forEachDatagram { datagram in
                // Safety: the datagrams' lengths sum to totalLength(), the buffer's capacity.
                let target = UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[offset...])
                target.copyMemory(from: datagram.bytes)
                entries.append(Entry(offset: offset, length: datagram.bytes.count, source: datagram.source,
                                     destination: datagram.destination, isTruncated: datagram.isTruncated))
                offset += datagram.bytes.count
            }
            initialized = offset
        }
        self.entries = entries
    }

    /// 0.
    public var startIndex: Int { 0 }
    /// The number of datagrams.
    public var endIndex: Int { entries.count }

    /// Datagram `index`, in arrival order.
    public subscript(index: Int) -> Datagram {
        let entry = entries[index]
        return Datagram(payload: bytes[entry.offset..<(entry.offset + entry.length)], source: entry.source,
                        destination: entry.destination, isTruncated: entry.isTruncated)
    }

    /// The payload bytes of all the datagrams together.
    public var byteCount: Int { bytes.count }
}

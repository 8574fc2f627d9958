#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// The transmit side of AF_XDP: a socket bound to one TX queue of an interface, whose
/// frames the caller writes into a UMEM (memory shared with the kernel, allocated once)
/// and hands over through the TX ring; the kernel gives each frame back through the
/// completion ring once it has left. ``XDPSocket`` is the receiving side.
///
/// Set-up, in `init`: `socket(AF_XDP)`, a UMEM of ``frameCount`` frames of ``frameSize``
/// bytes (`XDP_UMEM_REG`), the fill ring (the kernel requires one; it stays empty), the
/// completion and TX rings, each `mmap`ed, and a `bind` to the queue in copy or zero-copy
/// mode with `XDP_USE_NEED_WAKEUP`, so a `sendto` is made only when the kernel asks for one
/// (in copy mode it always does: the copy happens inside that call, at most 32 frames per call
/// in Linux 6.x).
///
/// Use: ``frame(_:)`` gives a frame's bytes to build once; ``transmit(limit:_:)`` fills free
/// frames and queues them; ``reclaim()`` takes back the completed ones; ``completed`` counts
/// them and ``dropped`` the ones the device refused after taking them (copy mode's `EBUSY`),
/// so `completed − dropped` frames left. Nothing is allocated per batch. Linux 5.4 or later;
/// copy mode works on any interface, zero-copy needs a driver that supports it. One thread owns a socket.
public struct XDPTransmitSocket: ~Copyable {
    /// The socket's descriptor.
    public let descriptor: Int32
    /// Bytes per UMEM frame: the longest frame this socket sends.
    public let frameSize: Int
    /// Frames in the UMEM; the TX and completion rings have as many entries.
    public let frameCount: Int
    /// Whether the socket was bound in zero-copy mode.
    public let isZeroCopy: Bool
    /// Frames the kernel has given back through the completion ring since the socket opened.
    public private(set) var completed: UInt64 = 0
    /// Frames the device dropped after the kernel took them (`sendto` answered `EBUSY`):
    /// completed, but they never left.
    public private(set) var dropped: UInt64 = 0
    /// `sendto` calls made to wake the kernel.
    public private(set) var wakeups: UInt64 = 0
    /// Frames free to be filled: the others are queued or in flight.
    public private(set) var freeCount: Int

    private let umem: UnsafeMutableRawPointer
    private let umemLength: Int
    private let tx: XDPRing
    private let fill: XDPRing
    private let completion: XDPRing
    /// Our TX producer and completion consumer indices.
    private var txProducer: UInt32 = 0
    private var completionConsumer: UInt32 = 0
    /// The free frames' indices, a stack of `freeCount`.
    private let free: UnsafeMutablePointer<UInt32>

    /// The default frame size.
    public static let defaultFrameSize = 2048
    /// The default number of frames (4 MiB of UMEM at 2048 bytes).
    public static let defaultFrameCount = 2048

    /// Opens the socket, registers its UMEM and rings, and binds it to TX queue `queue` of
    /// the interface with index `interfaceIndex`.
    ///
    /// Errors name the step, as ``XDPSocket``'s do: `socket(AF_XDP)` (EPERM without CAP_NET_RAW),
    /// `setsockopt(XDP_UMEM_REG)` (ENOBUFS or EPERM past RLIMIT_MEMLOCK), `bind(AF_XDP)` (EINVAL for
    /// a queue the interface does not have, EBUSY when another AF_XDP socket holds it, EOPNOTSUPP
    /// for zero-copy on a driver without it).
    /// - Precondition: `frameSize` 2048 or 4096; `frameCount` a power of two 64...2^16.
    public init(interfaceIndex: UInt32, queue: UInt32, zeroCopy: Bool = false,
                frameSize: Int = defaultFrameSize, frameCount: Int = defaultFrameCount) throws(SocketError) {
        precondition(frameSize == 2048 || frameSize == 4096, "frame size must be 2048 or 4096")
        precondition(frameCount >= 64 && frameCount <= 1 << 16 && frameCount & (frameCount - 1) == 0,
                     "frame count must be a power of two, 64...2^16")
        precondition(MemoryLayout<xdp_desc>.size == 16 && MemoryLayout<xdp_desc>.offset(of: \xdp_desc.len) == 8,
                     "struct xdp_desc is not laid out as transmit writes it")
        let descriptor = try Syscalls.socket(domain: CMPPSLinux_AF_XDP, type: Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        let length = frameSize * frameCount
        var umem: UnsafeMutableRawPointer? = nil
        var rings: [XDPRing] = []
        do throws(SocketError) {
            let memory = try Syscalls.mapMemory(length: length, descriptor: -1, offset: 0, "mmap(UMEM)")
            umem = memory
            try Self.register(descriptor, memory: memory, length: length, frameSize: frameSize, frameCount: frameCount)
            rings = try Self.mapRings(descriptor, frameCount: frameCount)
            let flags = (zeroCopy ? CMPPSLinux_XDP_ZEROCOPY : CMPPSLinux_XDP_COPY) | CMPPSLinux_XDP_USE_NEED_WAKEUP
            try Syscalls.bindXDP(descriptor, interfaceIndex: interfaceIndex, queue: queue, flags: flags)
        } catch {
            for ring in rings { ring.unmap() }
            if let umem { Syscalls.unmapMemory(umem, length: length) }
            Syscalls.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.frameSize = frameSize
        self.frameCount = frameCount
        isZeroCopy = zeroCopy
        self.umem = umem!
        umemLength = length
        tx = rings[0]
        fill = rings[1]
        completion = rings[2]
        txProducer = tx.loadAcquire(tx.producer)
        completionConsumer = completion.loadAcquire(completion.consumer)
        free = .allocate(capacity: frameCount)
        // The stack pops from its top: frame 0 first.
        for index in 0..<frameCount { free[index] = UInt32(frameCount - 1 - index) }
        freeCount = frameCount
    }

    /// Registers the UMEM and sizes the fill (unused: 64), completion and TX rings.
    private static func register(_ descriptor: Int32, memory: UnsafeMutableRawPointer, length: Int,
                                 frameSize: Int, frameCount: Int) throws(SocketError) {
        try XDPSocket.registerUMEM(descriptor, frames: memory, length: length, frameSize: frameSize,
                                   fillEntries: 64, completionEntries: Int32(frameCount))
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_TX_RING, Int32(frameCount), "setsockopt(XDP_TX_RING)")
    }

    /// Maps the TX, fill and completion rings, in that order.
    private static func mapRings(_ descriptor: Int32, frameCount: Int) throws(SocketError) -> [XDPRing] {
        var offsets = xdp_mmap_offsets()
        try Syscalls.getOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_MMAP_OFFSETS, into: &offsets, "getsockopt(XDP_MMAP_OFFSETS)")
        var rings: [XDPRing] = []
        do throws(SocketError) {
            rings.append(try XDPRing(descriptor: descriptor, offset: CMPPSLinux_XDP_PGOFF_TX_RING, layout: offsets.tx,
                                     size: UInt32(frameCount), entrySize: 16, "mmap(XDP_TX_RING)"))
            rings.append(try XDPRing(descriptor: descriptor, offset: CMPPSLinux_XDP_UMEM_PGOFF_FILL_RING, layout: offsets.fr,
                                     size: 64, entrySize: 8, "mmap(XDP_UMEM_FILL_RING)"))
            rings.append(try XDPRing(descriptor: descriptor, offset: CMPPSLinux_XDP_UMEM_PGOFF_COMPLETION_RING, layout: offsets.cr,
                                     size: UInt32(frameCount), entrySize: 8, "mmap(XDP_UMEM_COMPLETION_RING)"))
        } catch {
            for ring in rings { ring.unmap() }
            throw error
        }
        return rings
    }

    deinit {
        // The socket first: once closed, the kernel no longer touches the rings or the UMEM.
        Syscalls.close(descriptor)
        tx.unmap()
        fill.unmap()
        completion.unmap()
        Syscalls.unmapMemory(umem, length: umemLength)
        free.deallocate()
    }

    /// Frames queued or in flight: neither free nor completed.
    public var inFlight: Int { frameCount - freeCount }

    /// The bytes of frame `index` (0 ..< ``frameCount``), ``frameSize`` of them, to build
    /// before sending. Never write a frame that is in flight.
    public func frame(_ index: Int) -> UnsafeMutableRawPointer {
        precondition(index >= 0 && index < frameCount, "frame index out of range")
        return umem + index * frameSize
    }

    /// Takes back the frames the kernel completed (no system call). Returns how many.
    @discardableResult
    public mutating func reclaim() -> Int {
        let produced = completion.loadAcquire(completion.producer)
        // The kernel never completes more than it was given; a larger gap is not trusted.
        let count = min(produced &- completionConsumer, UInt32(inFlight))
        var index: UInt32 = 0
        while index < count {
            let slot = (completionConsumer &+ index) & (completion.size &- 1)
            let address = completion.entries.load(fromByteOffset: Int(slot) &* 8, as: UInt64.self)
            free[freeCount] = UInt32(truncatingIfNeeded: address / UInt64(frameSize)) & UInt32(frameCount &- 1)
            freeCount &+= 1
            index &+= 1
        }
        completionConsumer &+= count
        completion.storeRelease(completion.consumer, completionConsumer)
        completed &+= UInt64(count)
        return Int(count)
    }

    /// Queues up to `limit` free frames on the TX ring: `fill(index, bytes)` writes frame
    /// `index` at `bytes` and returns its length (1 ... ``frameSize``). Then publishes them
    /// and wakes the kernel when it asks (``wake()``). Returns how many were queued: fewer
    /// than `limit` when fewer frames were free.
    @inlinable
    public mutating func transmit(limit: Int, _ fill: (Int, UnsafeMutableRawPointer) -> Int) throws(SocketError) -> Int {
        let count = min(max(limit, 0), freeCount)
        var queued = 0
        while queued < count {
            let index = popFree()
            let length = fill(index, frame(index))
            precondition(length > 0 && length <= frameSize, "a frame's length must be 1...frameSize")
            enqueue(index, length: length)
            queued &+= 1
        }
        if queued > 0 { publish() }
        try wake()
        return queued
    }

    /// Takes the top of the free stack.
    @usableFromInline mutating func popFree() -> Int {
        freeCount &-= 1
        return Int(free[freeCount])
    }

    /// Writes a TX descriptor for frame `index` (struct xdp_desc: address, length, options 0).
    @usableFromInline mutating func enqueue(_ index: Int, length: Int) {
        let slot = Int(txProducer & (tx.size &- 1)) &* 16
        tx.entries.storeBytes(of: UInt64(index &* frameSize), toByteOffset: slot, as: UInt64.self)
        tx.entries.storeBytes(of: UInt32(length), toByteOffset: slot &+ 8, as: UInt32.self)
        tx.entries.storeBytes(of: UInt32(0), toByteOffset: slot &+ 12, as: UInt32.self)
        txProducer &+= 1
    }

    /// Publishes the queued descriptors to the kernel.
    @usableFromInline func publish() { tx.storeRelease(tx.producer, txProducer) }

    /// Makes a `sendto` when the kernel asks for one (`XDP_RING_NEED_WAKEUP` on the TX ring)
    /// and the ring holds frames it has not taken yet. `EAGAIN` (more than one call's worth,
    /// or the device busy) is fine: the next wake goes on. `EBUSY` counts one frame in ``dropped``.
    public mutating func wake() throws(SocketError) {
        guard tx.loadAcquire(tx.consumer) != txProducer, tx.loadAcquire(tx.flags) & CMPPSLinux_XDP_RING_NEED_WAKEUP != 0 else { return }
        wakeups &+= 1
        if try Syscalls.kickTransmit(descriptor) { dropped &+= 1 }
    }
}

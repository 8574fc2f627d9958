#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// An AF_XDP socket bound to one RX queue of an interface: the frames an XDP
/// program redirects to it land in its UMEM (memory shared with the kernel,
/// allocated once), and it reads them without a system call per batch.
///
/// Set-up, in `init`: `socket(AF_XDP)`, a UMEM of ``frameCount`` frames of
/// ``frameSize`` bytes (`XDP_UMEM_REG`), the fill, completion and RX rings (the
/// completion ring is mandatory even for a receiver), `XDP_MMAP_OFFSETS` and a
/// `mmap` of each, every frame handed to the kernel through the fill ring, and a
/// `bind` to the queue in copy or zero-copy mode. The socket receives nothing until
/// an XDP program redirects to it (``XDPAttachment/insert(_:queue:)``).
///
/// Use: ``receive(limit:waitMilliseconds:)`` returns how many frames arrived (waiting
/// in `poll` when none has), ``forEachDatagram(_:)`` visits the UDP datagrams in them
/// in place, and the next receive hands their frames back to the kernel. Nothing is
/// allocated per batch. Linux 4.18 or later; copy mode works on any driver with XDP
/// (veth too), zero-copy needs a driver that supports it. One thread owns a socket.
public struct XDPSocket: ~Copyable {
    /// The socket's descriptor (for the XSKMAP and `poll`).
    public let descriptor: Int32
    /// Bytes per UMEM frame.
    public let frameSize: Int
    /// Frames in the UMEM; the fill and RX rings have as many entries.
    public let frameCount: Int
    /// Whether the socket was bound in zero-copy mode.
    public let isZeroCopy: Bool

    /// The frames (2 MiB-aligned inside ``umemMapping``) and their length.
    /// Usable from inlinable code, so that reading a frame is inlined into the receiving loop.
    @usableFromInline let umem: UnsafeMutableRawPointer
    @usableFromInline let umemLength: Int
    /// The whole anonymous mapping, for `munmap`: the frames' length plus 2 MiB.
    private let umemMapping: UnsafeMutableRawPointer
    /// The size of a transparent huge page on x86-64 and arm64 (with 4 KiB base pages).
    private static let hugePage = 2 << 20
    @usableFromInline let rx: XDPRing
    private let fill: XDPRing
    private let completion: XDPRing
    /// Our RX consumer and fill producer indices, as last published.
    @usableFromInline var rxConsumer: UInt32 = 0
    private var fillProducer: UInt32 = 0
    /// The frames of the last receive: RX entries rxConsumer ..< rxConsumer + count.
    public private(set) var count: Int = 0

    /// The default frame size: one per page half, the smallest the kernel takes.
    public static let defaultFrameSize = 2048
    /// The default number of frames (8 MiB of UMEM at 2048 bytes).
    public static let defaultFrameCount = 4096
    /// The headroom the kernel keeps before each packet in a frame (`XDP_PACKET_HEADROOM`).
    public static let packetHeadroom = Int(CMPPSLinux_XDP_PACKET_HEADROOM)

    /// The longest frame (Ethernet header included) a socket with frames of
    /// `frameSize` bytes receives in copy mode; longer ones are dropped (`rx_dropped`).
    public static func largestFrame(frameSize: Int = defaultFrameSize) -> Int { frameSize - packetHeadroom }

    /// Opens the socket, registers its UMEM and rings, and binds it to `queue` of the
    /// interface with index `interfaceIndex`.
    ///
    /// Errors name the step: `socket(AF_XDP)` (EPERM without CAP_NET_RAW, EAFNOSUPPORT on a
    /// kernel without AF_XDP), `setsockopt(XDP_UMEM_REG)` (ENOBUFS or EPERM when the UMEM passes
    /// RLIMIT_MEMLOCK without CAP_IPC_LOCK), `bind(AF_XDP)` (EINVAL for a queue the interface
    /// does not have, EBUSY when another socket holds it, EOPNOTSUPP for zero-copy on a driver without it).
    /// - Precondition: `frameSize` is a power of two 2048...4096; `frameCount` a power of two ≥ 64.
    public init(interfaceIndex: UInt32, queue: UInt32, zeroCopy: Bool = false,
                frameSize: Int = defaultFrameSize, frameCount: Int = defaultFrameCount) throws(SocketError) {
        precondition(frameSize == 2048 || frameSize == 4096, "frame size must be 2048 or 4096")
        precondition(frameCount >= 64 && frameCount <= 1 << 20 && frameCount & (frameCount - 1) == 0,
                     "frame count must be a power of two, 64...2^20")
        precondition(MemoryLayout<xdp_desc>.size == Self.descriptorSize && MemoryLayout<xdp_desc>.offset(of: \xdp_desc.len) == 8,
                     "struct xdp_desc is not laid out as descriptorAt reads it")
        let descriptor = try Syscalls.socket(domain: CMPPSLinux_AF_XDP, type: Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
        var umem: UnsafeMutableRawPointer? = nil
        var frames: UnsafeMutableRawPointer? = nil
        var rings: [XDPRing] = []
        let length = frameSize * frameCount
        do throws(SocketError) {
            let mapping = try Self.mapUMEM(length: length)
            umem = mapping.whole
            frames = mapping.frames
            try Self.registerUMEM(descriptor, frames: mapping.frames, length: length, frameSize: frameSize, frameCount: frameCount)
            try Self.mapRings(descriptor, frameCount: frameCount, into: &rings)
            // Every frame goes to the kernel before the bind, so the first datagram finds one.
            fillProducer = Self.giveEveryFrame(to: rings[1], frameSize: frameSize, frameCount: frameCount)
            rxConsumer = rings[0].loadAcquire(rings[0].consumer)
            try Syscalls.bindXDP(descriptor, interfaceIndex: interfaceIndex, queue: queue,
                                 flags: zeroCopy ? CMPPSLinux_XDP_ZEROCOPY : CMPPSLinux_XDP_COPY)
        } catch {
            for ring in rings { ring.unmap() }
            if let umem { Syscalls.unmapMemory(umem, length: length + Self.hugePage) }
            Syscalls.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.frameSize = frameSize
        self.frameCount = frameCount
        self.isZeroCopy = zeroCopy
        self.umem = frames!
        umemLength = length
        umemMapping = umem!
        rx = rings[0]
        fill = rings[1]
        completion = rings[2]
    }

    /// Maps `length` bytes of frames, 2 MiB more than needed so that they can
    /// start on a huge-page boundary (and asks for huge pages there): the whole
    /// mapping, for `munmap`, and the aligned frames.
    private static func mapUMEM(length: Int) throws(SocketError) -> (whole: UnsafeMutableRawPointer, frames: UnsafeMutableRawPointer) {
        let mapped = try Syscalls.mapMemory(length: length + hugePage, descriptor: -1, offset: 0, "mmap(UMEM)")
        let frames = mapped + (hugePage - Int(bitPattern: mapped) & (hugePage - 1)) & (hugePage - 1)
        Syscalls.adviseHugePages(frames, length: length)
        return (mapped, frames)
    }

    /// Registers the frames as the socket's UMEM and sizes its fill, completion
    /// and RX rings (a receiver never sends: the smallest completion ring does).
    private static func registerUMEM(_ descriptor: Int32, frames: UnsafeMutableRawPointer, length: Int,
                                     frameSize: Int, frameCount: Int) throws(SocketError) {
        try registerUMEM(descriptor, frames: frames, length: length, frameSize: frameSize,
                         fillEntries: Int32(frameCount), completionEntries: 64)
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_RX_RING, Int32(frameCount), "setsockopt(XDP_RX_RING)")
    }

    /// Registers `frames` as the UMEM of AF_XDP socket `descriptor` (`XDP_UMEM_REG`,
    /// no headroom) and sizes its fill and completion rings, both mandatory: the
    /// receiver's and the sender's one way to set a UMEM up.
    static func registerUMEM(_ descriptor: Int32, frames: UnsafeMutableRawPointer, length: Int, frameSize: Int,
                             fillEntries: Int32, completionEntries: Int32) throws(SocketError) {
        var registration = xdp_umem_reg()
        registration.addr = UInt64(UInt(bitPattern: frames))
        registration.len = UInt64(length)
        registration.chunk_size = UInt32(frameSize)
        registration.headroom = 0
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_UMEM_REG, registration, "setsockopt(XDP_UMEM_REG)")
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_UMEM_FILL_RING, fillEntries, "setsockopt(XDP_UMEM_FILL_RING)")
        try Syscalls.setOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_UMEM_COMPLETION_RING, completionEntries,
                               "setsockopt(XDP_UMEM_COMPLETION_RING)")
    }

    /// Maps the RX, fill and completion rings, in that order, appending each to
    /// `rings` as soon as it is mapped, so that the caller unmaps them on an error.
    private static func mapRings(_ descriptor: Int32, frameCount: Int, into rings: inout [XDPRing]) throws(SocketError) {
        var offsets = xdp_mmap_offsets()
        try Syscalls.getOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_MMAP_OFFSETS, into: &offsets,
                               "getsockopt(XDP_MMAP_OFFSETS)")
        rings.append(try XDPRing(descriptor: descriptor, offset: CMPPSLinux_XDP_PGOFF_RX_RING, layout: offsets.rx,
                                 size: UInt32(frameCount), entrySize: descriptorSize, "mmap(XDP_RX_RING)"))
        rings.append(try XDPRing(descriptor: descriptor, offset: CMPPSLinux_XDP_UMEM_PGOFF_FILL_RING, layout: offsets.fr,
                                 size: UInt32(frameCount), entrySize: 8, "mmap(XDP_UMEM_FILL_RING)"))
        rings.append(try XDPRing(descriptor: descriptor, offset: CMPPSLinux_XDP_UMEM_PGOFF_COMPLETION_RING, layout: offsets.cr,
                                 size: 64, entrySize: 8, "mmap(XDP_UMEM_COMPLETION_RING)"))
    }

    /// Puts every frame of the UMEM into the fill ring and publishes them;
    /// returns the fill ring's producer index after them.
    private static func giveEveryFrame(to fill: XDPRing, frameSize: Int, frameCount: Int) -> UInt32 {
        let start = fill.loadAcquire(fill.producer)
        for frame in 0..<frameCount {
            let slot = (start &+ UInt32(frame)) & (fill.size - 1)
            fill.entries.storeBytes(of: UInt64(frame * frameSize), toByteOffset: Int(slot) * 8, as: UInt64.self)
        }
        fill.storeRelease(fill.producer, start &+ UInt32(frameCount))
        return start &+ UInt32(frameCount)
    }

    deinit {
        // The socket first: once closed, the kernel no longer writes into the rings or the UMEM.
        Syscalls.close(descriptor)
        rx.unmap()
        fill.unmap()
        completion.unmap()
        Syscalls.unmapMemory(umemMapping, length: umemLength + Self.hugePage)
    }

    /// Hands the frames of the last receive back to the kernel, then takes up to `limit`
    /// newly arrived frames. When none has arrived, waits in `poll(2)` up to
    /// `waitMilliseconds` (0: not at all) and looks again. Returns how many frames
    /// arrived; 0 when none did in that time or a signal came.
    /// The rings need no system call: only an empty ring costs a `poll`.
    /// - Precondition: `limit` ≥ 0.
    @inline(__always)
    public mutating func receive(limit: Int = .max, waitMilliseconds: Int32 = 100) throws(SocketError) -> Int {
        precondition(limit >= 0, "receive limit must not be negative")
        release()
        var available = rx.loadAcquire(rx.producer) &- rxConsumer
        if available == 0 && waitMilliseconds > 0 {
            _ = try Syscalls.waitReadable(descriptor, milliseconds: waitMilliseconds)
            available = rx.loadAcquire(rx.producer) &- rxConsumer
        }
        // The kernel can never have produced more than the ring holds; a larger gap is not trusted.
        count = Int(min(available, rx.size, UInt32(clamping: limit)))
        return count
    }

    /// Returns the last receive's frames to the fill ring and consumes their RX entries.
    @inline(__always)
    private mutating func release() {
        let n = UInt32(truncatingIfNeeded: count)
        if n == 0 { return }
        var i: UInt32 = 0
        // Every frame is in the fill ring, the RX ring or this batch: the fill ring has room for the batch.
        while i < n {
            let address = descriptorAt(Int(i)).address & ~UInt64(frameSize &- 1)
            let slot = (fillProducer &+ i) & (fill.size &- 1)
            fill.entries.storeBytes(of: address, toByteOffset: Int(slot) &* 8, as: UInt64.self)
            i &+= 1
        }
        fillProducer &+= n
        fill.storeRelease(fill.producer, fillProducer)
        rxConsumer &+= n
        rx.storeRelease(rx.consumer, rxConsumer)
        count = 0
    }

    /// The RX ring's descriptor for frame `index` of the last receive: the frame's address
    /// in the UMEM and its length (struct xdp_desc: a u64 address, a u32 length, u32 options;
    /// read by offset, so that inlinable code needs no C type).
    @inlinable @inline(__always)
    func descriptorAt(_ index: Int) -> (address: UInt64, length: UInt32) {
        let slot = (rxConsumer &+ UInt32(truncatingIfNeeded: index)) & (rx.size &- 1)
        let offset = Int(slot) &* Self.descriptorSize
        return (rx.entries.load(fromByteOffset: offset, as: UInt64.self),
                rx.entries.load(fromByteOffset: offset &+ 8, as: UInt32.self))
    }

    /// Bytes per RX ring entry (`sizeof(struct xdp_desc)`), checked against the C declaration at start-up.
    @usableFromInline static let descriptorSize = 16

    /// The bytes of frame `index` of the last receive (Ethernet header first), in place:
    /// valid until the next receive. Empty when the kernel's descriptor points outside
    /// the UMEM (it never should; the bounds are checked all the same).
    @inlinable @inline(__always)
    public func frame(at index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "frame index out of range")
        let entry = descriptorAt(index)
        let length = UInt64(entry.length)
        guard entry.address < UInt64(umemLength), length <= UInt64(umemLength) &- entry.address else {
            return UnsafeRawBufferPointer(start: umem, count: 0)
        }
        return UnsafeRawBufferPointer(start: umem + Int(entry.address), count: Int(length))
    }

    /// Starts loading the first 128 bytes of frames `start ..< start + frames` into the cache
    /// (their headers and a small payload), so that reading them a few frames later does not
    /// wait for memory: the kernel wrote them on another CPU. Indices outside the last receive
    /// are skipped. One call for a group of frames: the prefetch itself is a C wrapper, which
    /// inlinable code cannot reach, so a call per frame would cost more than it saves.
    public func prefetchFrames(from start: Int, count frames: Int) {
        var index = max(start, 0)
        let end = min(start &+ max(frames, 0), count)
        while index < end {
            let entry = descriptorAt(index)
            if entry.address < UInt64(umemLength) &- 128 {
                let first = UnsafeRawPointer(umem + Int(entry.address))
                CMPPSLinux_prefetch(first)
                CMPPSLinux_prefetch(first + 64)
            }
            index &+= 1
        }
    }

    /// Calls `body` for every UDP datagram in the last receive's frames, in order,
    /// with its payload in place, its source and its destination; frames that are not
    /// whole UDP datagrams (``UDPFrame``) are skipped. Returns how many were skipped.
    /// `message` is the frame's index; `segment` is always 0 (no GRO on this path).
    @inlinable
    @discardableResult
    public func forEachDatagram<E: Error>(_ body: (ReceivedDatagram) throws(E) -> Void) throws(E) -> Int {
        var skipped = 0
        var index = 0
        while index < count {
            if let datagram = UDPFrame(parsing: frame(at: index)) {
                try body(ReceivedDatagram(bytes: datagram.payload, source: datagram.source, destination: datagram.destination,
                                          message: index, segment: 0, isTruncated: false))
            } else {
                skipped &+= 1
            }
            index &+= 1
        }
        return skipped
    }

    /// The socket's drop counters since it was opened. The corresponding C function is
    /// `getsockopt(2)` with `XDP_STATISTICS`; Linux 4.18 or later.
    public func statistics() throws(SocketError) -> XDPStatistics {
        try Self.statistics(descriptor: descriptor)
    }

    /// The drop counters of the AF_XDP socket `descriptor` (for a thread other than the owner's).
    public static func statistics(descriptor: Int32) throws(SocketError) -> XDPStatistics {
        var raw = xdp_statistics()
        try Syscalls.getOption(descriptor, CMPPSLinux_SOL_XDP, CMPPSLinux_XDP_STATISTICS, into: &raw, "getsockopt(XDP_STATISTICS)")
        return XDPStatistics(raw)
    }
}

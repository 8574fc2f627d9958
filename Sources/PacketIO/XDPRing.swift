#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

/// One ring an AF_XDP socket shares with the kernel: a producer and a consumer
/// index and `size` entries, mapped from the socket. Indices run freely and wrap
/// at 2^32; an entry's place is the index masked by `size − 1`.
///
/// Ordering: a consumer reads the producer index with acquire before reading the
/// entries it covers; a producer writes entries, then stores its index with release.
@usableFromInline struct XDPRing {
    /// The mapped region and its length, for `munmap`.
    let mapping: UnsafeMutableRawPointer
    /// The region's length in bytes.
    let mappingLength: Int
    /// The producer index (the kernel's for RX, ours for fill).
    let producer: UnsafeMutablePointer<UInt32>
    /// The consumer index (ours for RX, the kernel's for fill).
    let consumer: UnsafeMutablePointer<UInt32>
    /// The ring's flags word (`XDP_RING_NEED_WAKEUP`, written by the kernel).
    let flags: UnsafeMutablePointer<UInt32>
    /// The first entry.
    @usableFromInline let entries: UnsafeMutableRawPointer
    /// Entries in the ring, a power of two.
    @usableFromInline let size: UInt32

    /// Maps the ring of `descriptor` at page offset `offset`, laid out as `layout` says, with `size` entries of `entrySize` bytes.
    init(descriptor: Int32, offset: UInt64, layout: xdp_ring_offset, size: UInt32, entrySize: Int,
         _ operation: StaticString) throws(SocketError) {
        let length = Int(layout.desc) + Int(size) * entrySize
        mapping = try Syscalls.mapMemory(length: length, descriptor: descriptor, offset: offset, operation)
        mappingLength = length
        // Safety: the kernel placed the indices and entries at these offsets inside the mapping.
        producer = (mapping + Int(layout.producer)).assumingMemoryBound(to: UInt32.self)
        consumer = (mapping + Int(layout.consumer)).assumingMemoryBound(to: UInt32.self)
        flags = (mapping + Int(layout.flags)).assumingMemoryBound(to: UInt32.self)
        entries = mapping + Int(layout.desc)
        self.size = size
    }

    /// The other side's index, read with acquire ordering.
    @inline(__always)
    func loadAcquire(_ index: UnsafeMutablePointer<UInt32>) -> UInt32 { CMPPSLinux_load_acquire_u32(index) }

    /// Publishes our index with release ordering.
    @inline(__always)
    func storeRelease(_ index: UnsafeMutablePointer<UInt32>, _ value: UInt32) { CMPPSLinux_store_release_u32(index, value) }

    /// Unmaps the ring (after its socket closed).
    func unmap() { Syscalls.unmapMemory(mapping, length: mappingLength) }
}

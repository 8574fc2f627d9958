#if canImport(Glibc)
import Glibc
#endif
internal import CMPPSLinux

// AF_XDP sockets, their shared memory and the bpf(2) calls that feed them.
extension Syscalls {
    /// Binds an AF_XDP socket to one RX queue of an interface; `flags` is `XDP_COPY`
    /// or `XDP_ZEROCOPY`. The corresponding C function is `bind(2)` with a `sockaddr_xdp`; Linux 4.18 or later.
    static func bindXDP(_ descriptor: Int32, interfaceIndex: UInt32, queue: UInt32, flags: UInt16) throws(SocketError) {
        var address = sockaddr_xdp()
        address.sxdp_family = UInt16(CMPPSLinux_AF_XDP)
        address.sxdp_flags = flags
        address.sxdp_ifindex = interfaceIndex
        address.sxdp_queue_id = queue
        // Safety: `address` outlives the call and its size is passed with it.
        _ = try retrying(.bind, "bind(AF_XDP)", descriptor) {
            Int(withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_xdp>.size))
                }
            })
        }
    }

    /// Maps `length` bytes: anonymous private memory when `descriptor` is -1, else
    /// the region of an AF_XDP socket at `offset` (its rings), shared with the kernel.
    /// The corresponding C function is `mmap(2)`.
    static func mapMemory(length: Int, descriptor: Int32, offset: UInt64, _ operation: StaticString) throws(SocketError) -> UnsafeMutableRawPointer {
        let flags = descriptor < 0 ? (MAP_PRIVATE | MAP_ANONYMOUS) : (MAP_SHARED | MAP_POPULATE)
        while true {
            var result: UnsafeMutableRawPointer?
            let rc = invoke(.mmap, descriptor) {
                result = Glibc.mmap(nil, length, PROT_READ | PROT_WRITE, flags, descriptor, off_t(Int64(bitPattern: offset)))
                return result == MAP_FAILED ? -1 : 0
            }
            if rc == 0, let result { return result }
            let code = errno
            if code == EINTR || code == EAGAIN && descriptor < 0 { continue }
            throw failure(operation, code)
        }
    }

    /// Asks for transparent huge pages under `length` bytes at `address` (a 2 MiB-aligned
    /// region): fewer TLB misses when a reader walks thousands of frames. A refusal changes
    /// nothing but speed, so it is ignored. The corresponding C function is `madvise(2)` with `MADV_HUGEPAGE`.
    static func adviseHugePages(_ address: UnsafeMutableRawPointer, length: Int) {
        _ = Glibc.madvise(address, length, 14 /* MADV_HUGEPAGE */)
    }

    /// Unmaps what ``mapMemory(length:descriptor:offset:_:)`` mapped. The corresponding C function is `munmap(2)`.
    static func unmapMemory(_ address: UnsafeMutableRawPointer, length: Int) {
        let rc = Glibc.munmap(address, length)
        precondition(rc == 0, "munmap failed: a region that is not mpps's own (a bug)")
    }

    /// Waits up to `milliseconds` for `descriptor` to become readable; false when the
    /// time passed (or a signal came: the caller looks at its stop flag and calls again).
    /// The corresponding C function is `poll(2)`.
    @inline(__always)
    static func waitReadable(_ descriptor: Int32, milliseconds: Int32) throws(SocketError) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let rc = invoke(.poll, descriptor) { Int(Glibc.poll(&entry, 1, milliseconds)) }
        if rc >= 0 { return rc > 0 }
        let code = errno
        if code == EINTR || code == EAGAIN { return false }
        throw failure("poll", code)
    }

    /// One bpf(2) command on a prepared `union bpf_attr` member; returns the new
    /// descriptor or 0. The corresponding C function is `bpf(2)`; Linux 3.18 or later.
    static func bpf<Attribute>(_ command: Int32, _ call: SystemCall, _ operation: StaticString,
                               _ attribute: inout Attribute) throws(SocketError) -> Int32 {
        let size = UInt32(MemoryLayout<Attribute>.size)
        // Safety: `attribute` outlives the call and its size is passed with it.
        return Int32(truncatingIfNeeded: try retrying(call, operation, -1) {
            Int(withUnsafeMutableBytes(of: &attribute) { CMPPSLinux_bpf(command, $0.baseAddress, size) })
        })
    }

    /// The index of the interface named `name`, or nil when there is none.
    /// The corresponding C function is `if_nametoindex(3)`.
    package static func interfaceIndex(_ name: String) -> UInt32? {
        var index: UInt32 = 0
        _ = invoke(.interfaceIndex, -1) {
            index = Glibc.if_nametoindex(name)
            return index == 0 ? -1 : 0
        }
        return index == 0 ? nil : index
    }

    /// The soft limit on locked memory (`ulimit -l`) in bytes; nil when unlimited.
    /// The corresponding C function is `getrlimit(2)` with `RLIMIT_MEMLOCK`.
    package static func lockedMemoryLimit() throws(SocketError) -> UInt64? {
        var limit = rlimit()
        _ = try retrying(.getrlimit, "getrlimit(RLIMIT_MEMLOCK)", -1) { Int(CMPPSLinux_getrlimit(CMPPSLinux_RLIMIT_MEMLOCK, &limit)) }
        return limit.rlim_cur == rlim_t.max ? nil : UInt64(limit.rlim_cur)
    }
}

extension Syscalls {
    /// Asks the kernel to send what an AF_XDP socket's TX ring holds: an empty
    /// `sendto` with `MSG_DONTWAIT`. Returns true when the device dropped a frame it had
    /// taken (`EBUSY`: copy mode completes it unsent); `EAGAIN` (more to send, or the
    /// device busy) and `EINTR` return false. The corresponding C function is `sendto(2)`; Linux 4.18 or later.
    static func kickTransmit(_ descriptor: Int32) throws(SocketError) -> Bool {
        let rc = invoke(.sendto, descriptor) { Glibc.sendto(descriptor, nil, 0, Int32(MSG_DONTWAIT), nil, 0) }
        if rc >= 0 { return false }
        let code = errno
        if code == EBUSY { return true }
        if code == EAGAIN || code == EINTR || code == ENOBUFS { return false }
        throw failure("sendto(AF_XDP)", code)
    }
}

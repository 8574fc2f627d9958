#if canImport(Glibc)
import Glibc
#endif

extension Syscalls {
    /// What one read of a socket's error queue returned: how many bytes of the
    /// name and control areas the kernel filled, and the message's flags.
    package struct ErrorQueueRead: Sendable, Equatable {
        /// Bytes of the address (`msg_namelen`): the failed datagram's destination.
        package let nameLength: Int
        /// Bytes of ancillary data (`msg_controllen`).
        package let controlLength: Int
        /// `msg_flags`: `MSG_ERRQUEUE`, and `MSG_CTRUNC` when the control area was too small.
        package let flags: Int32
    }

    /// Takes the oldest entry off the socket's error queue without reading its
    /// payload; nil when the queue is empty (MSG_ERRQUEUE never blocks: EAGAIN
    /// is that answer). The corresponding C function is `recvmsg(2)` with
    /// `MSG_ERRQUEUE`; Linux 2.2 or later.
    package static func receiveError(_ descriptor: Int32, name: UnsafeMutableRawBufferPointer,
                                     control: UnsafeMutableRawBufferPointer) throws(SocketError) -> ErrorQueueRead? {
        var header = msghdr()
        header.msg_name = name.baseAddress
        header.msg_namelen = socklen_t(name.count)
        header.msg_control = control.baseAddress
        header.msg_controllen = control.count
        // Safety: `header` points at `name` and `control`, which outlive the call, with their sizes.
        let read = try retryingUnlessBlocked(.recvmsgErrorQueue, "recvmsg(MSG_ERRQUEUE)", descriptor) {
            Glibc.recvmsg(descriptor, &header, Int32(MSG_ERRQUEUE))
        }
        guard read != nil else { return nil }
        return ErrorQueueRead(nameLength: Int(header.msg_namelen), controlLength: header.msg_controllen, flags: header.msg_flags)
    }
}

import PacketIO

/// The words an echo thread publishes, by index in its ``WordSlot``: requests in,
/// replies out, and every request not answered, by cause. Per thread and in
/// total, `requests = replies + truncated + noSource + noBuffers + timedOut + sendErrors + unasked`.
package enum EchoCount: Int, CaseIterable, Sendable {
    /// Datagrams received (requests).
    case requests
    /// Their payload bytes.
    case requestBytes
    /// Receive calls (`recvmmsg`, or `recvfrom` for one) that returned at least one.
    case receiveCalls
    /// Replies the kernel took.
    case replies
    /// Their payload bytes.
    case replyBytes
    /// Send calls (`sendmmsg`, or `sendto` for one) that took at least one reply.
    case sendCalls
    /// Not answered: longer than the slot, cut short, so it could not be returned byte for byte.
    case truncated
    /// Not answered: no source address to answer (the kernel gave none).
    case noSource
    /// Not answered: the kernel had no buffer for the reply (`ENOBUFS`).
    case noBuffers
    /// Not answered: the socket's send timeout passed (`EAGAIN`) with the reply unsent.
    case timedOut
    /// Not answered: the kernel refused the reply for another reason (the send call failed: EPERM, EACCES...).
    case sendErrors
    /// Not answered: with `--sockperf`, a sockperf message that asked for no reply (no pong flag).
    case unasked
    /// Calls answered `ECONNREFUSED` and made again (nothing lost).
    case refusedRetries
    /// With `--gso`: reply messages of several replies the kernel took whole, each one GSO send.
    case gsoMessages
    /// With `--gso`: times the kernel refused a GSO reply (`EIO`, `EINVAL`), once per thread at most:
    /// the refused replies went out one per message, as did every later one on that thread.
    case gsoFallbacks
}

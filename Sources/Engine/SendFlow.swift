#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

/// One connected socket a sending thread sends on, and the flow id its datagrams carry.
struct SendFlow: Sendable, Equatable {
    let descriptor: Int32
    let id: UInt32
}

/// Where one flow of a sending thread stands: its socket, its id, the data datagrams sent on it.
struct FlowCursor {
    let descriptor: Int32
    let flow: UInt32
    var sent: UInt64 = 0
    /// What sending on this flow's socket has learned (GSO refused).
    var sendState = SendState()
}

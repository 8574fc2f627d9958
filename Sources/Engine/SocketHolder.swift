import PacketIO

/// Keeps one ``UDPSocket`` alive for the threads that use its descriptor; the
/// descriptor closes when the last holder reference goes, after the threads joined.
final class SocketHolder: Sendable {
    let socket: UDPSocket

    init(_ socket: consuming UDPSocket) { self.socket = socket }

    var descriptor: Int32 { socket.descriptor }
}

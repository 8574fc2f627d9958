import PacketIO

/// How `mpps recv --xdp IF` receives, or `mpps send --xdp IF` sends: the interface,
/// and copy or zero-copy mode. Thread `i` reads RX queue `i`, or sends on TX queue `i`.
package struct XDPOptions: Sendable, Equatable {
    /// The interface whose queues the sockets bind to.
    package var interface: String
    /// Ask for zero-copy (the driver's own support); copy mode when it refuses.
    package var zeroCopy = false

    /// Copy mode on `interface`.
    package init(interface: String, zeroCopy: Bool = false) {
        self.interface = interface
        self.zeroCopy = zeroCopy
    }
}

import PacketIO

/// How `mpps recv --xdp IF` receives: the interface, and copy or zero-copy mode.
/// Thread `i` reads RX queue `i` of the interface.
package struct XDPOptions: Sendable, Equatable {
    /// The interface whose RX queues the sockets bind to.
    package var interface: String
    /// Ask for zero-copy (the driver's own support); copy mode when it refuses.
    package var zeroCopy = false

    /// Copy mode on `interface`.
    package init(interface: String, zeroCopy: Bool = false) {
        self.interface = interface
        self.zeroCopy = zeroCopy
    }
}

import Testing
import HostStats
import PacketIO
import Engine

/// Where a receive run's softirq work happens, which its CPU findings depend on:
/// on loopback in the senders' context (so the demo's findings agree with its
/// stages), elsewhere on the CPUs serving the interface.
@Suite struct ReceiveDeliveryTests {
    @Test(arguments: [("127.0.0.1:4321", ReceiveDelivery.loopback), ("127.9.8.7:1", .loopback), ("[::1]:4321", .loopback),
                      ("0.0.0.0:4321", .network), ("[::]:4321", .network), ("198.18.0.1:4321", .network)])
    func deliveryFollowsTheAddress(address: String, delivery: ReceiveDelivery) throws {
        var options = ReceiveOptions()
        options.address = try SocketAddress(parsing: address)
        #expect(options.delivery == delivery)
    }

    @Test func afXDPIsNeverLoopback() throws {
        var options = ReceiveOptions()
        options.address = try SocketAddress(parsing: "127.0.0.1:4321")
        options.xdp = XDPOptions(interface: "lo")
        #expect(options.delivery == .network)
    }
}

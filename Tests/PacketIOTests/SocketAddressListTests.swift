import PacketIO
import Testing

/// Targets that name a range of IPv4 addresses on the last octet.
@Suite struct SocketAddressListTests {
    func list(_ text: String) throws -> [String] {
        try SocketAddress.parseList(text).map(\.description)
    }

    func problem(_ text: String) -> String? {
        do {
            _ = try SocketAddress.parseList(text)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func theArticles20ReceiveIPs() throws {
        let addresses = try list("127.0.0.1-20:4321")
        #expect(addresses.count == 20)
        #expect(addresses == (1...20).map { "127.0.0.\($0):4321" })
    }

    @Test func edgesOfTheOctet() throws {
        #expect(try list("10.1.2.250-255:9") == (250...255).map { "10.1.2.\($0):9" })
        #expect(try list("127.0.0.0-1:1") == ["127.0.0.0:1", "127.0.0.1:1"])
        #expect(try list("127.0.0.7-7:4321") == ["127.0.0.7:4321"])
    }

    @Test func singleAddressesPassThrough() throws {
        #expect(try list("127.0.0.1:4321") == ["127.0.0.1:4321"])
        #expect(try list("[::1]:4321") == ["[::1]:4321"])
        #expect(try list(":4321") == ["0.0.0.0:4321"])
    }

    @Test func badRangesSayWhatToWrite() {
        #expect(problem("127.0.0.5-2:4321")
            == "reversed range in '127.0.0.5-2:4321': it ends at 2, below where it starts (5): write 127.0.0.2-5:4321")
        #expect(problem("127.0.0.1-256:4321")
            == "range end 256 in '127.0.0.1-256:4321' is above 255: a range runs over the last octet of an IPv4 address, as in 127.0.0.1-20:4321")
        #expect(problem("127.0.0.1-:4321")
            == "bad range end '' in '127.0.0.1-:4321': a range ends at a last octet from 0 to 255, as in 127.0.0.1-20:4321")
        #expect(problem("127.0.0.1-2x:4321")
            == "bad range end '2x' in '127.0.0.1-2x:4321': a range ends at a last octet from 0 to 255, as in 127.0.0.1-20:4321")
        #expect(problem("127.0.0.1-20")
            == "missing port in '127.0.0.1-20': write HOST:PORT, for example 127.0.0.1:4321")
        #expect(problem("127.0.0.1-20:70000")
            == "port 70000 in '127.0.0.1-20:70000' is out of range: a port is a number from 0 to 65535")
    }

    @Test func ipv6RangesAreUnsupported() {
        #expect(problem("[::1-3]:4321")
            == "address ranges are IPv4 only, and '[::1-3]:4321' is IPv6: list IPv6 targets one by one, as in [::1]:4321")
        #expect(problem("[fd00::1-fd00::3]:4321")
            == "address ranges are IPv4 only, and '[fd00::1-fd00::3]:4321' is IPv6: list IPv6 targets one by one, as in [::1]:4321")
    }

    @Test func aDashInANameIsNotARange() {
        // Not a dotted quad before the dash: a host name, looked up (and, here, not found).
        let message = problem("no-such-host-1.invalid:4321") ?? ""
        #expect(message.hasPrefix("cannot resolve host 'no-such-host-1.invalid' in 'no-such-host-1.invalid:4321'"), "\(message)")
    }
}

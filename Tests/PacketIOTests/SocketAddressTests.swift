#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

@Suite("SocketAddress parsing and formatting")
struct SocketAddressTests {
    @Test func parsesIPv4WithPort() throws {
        let address = try SocketAddress(parsing: "127.0.0.1:4321")
        #expect(address.family == .inet)
        #expect(address.port == 4321)
        #expect(address.hostDescription == "127.0.0.1")
        #expect(address.description == "127.0.0.1:4321")
        #expect(address == SocketAddress(ipv4: 127, 0, 0, 1, port: 4321))
    }

    @Test func parsesBracketedIPv6WithPort() throws {
        let address = try SocketAddress(parsing: "[::1]:4321")
        #expect(address.family == .inet6)
        #expect(address.port == 4321)
        #expect(address.hostDescription == "::1")
        #expect(address.description == "[::1]:4321")
        #expect(address == .ipv6Loopback(port: 4321))
    }

    @Test func emptyHostIsTheIPv4Wildcard() throws {
        let address = try SocketAddress(parsing: ":4321")
        #expect(address == SocketAddress(ipv4: 0, 0, 0, 0, port: 4321))
        #expect(address.description == "0.0.0.0:4321")
    }

    @Test func resolvesLocalhost() throws {
        let address = try SocketAddress(parsing: "localhost:4321")
        #expect(address.port == 4321)
        #expect(["127.0.0.1:4321", "[::1]:4321"].contains(address.description))
        #expect(address == loopback(address.family, port: 4321))
    }

    @Test(arguments: [
        "127.0.0.1:4321", "0.0.0.0:0", "10.1.2.3:53", "255.255.255.255:65535",
        "[::1]:4321", "[::]:0", "[fe80::1]:53", "[2001:db8::8:800:200c:417a]:443", "[::ffff:1.2.3.4]:80",
    ])
    func descriptionRoundTrips(_ text: String) throws {
        let address = try SocketAddress(parsing: text)
        #expect(address.description == text)
        #expect(try SocketAddress(parsing: address.description) == address)
    }

    @Test func portExtremes() throws {
        #expect(try SocketAddress(parsing: "127.0.0.1:0").port == 0)
        #expect(try SocketAddress(parsing: "127.0.0.1:65535").port == 65535)
        #expect(try SocketAddress(parsing: "[::1]:00080").port == 80)
    }

    @Test(arguments: [
        ("127.0.0.1", "missing port in '127.0.0.1': write HOST:PORT, for example 127.0.0.1:4321"),
        ("127.0.0.1:", "missing port in '127.0.0.1:': write HOST:PORT, for example 127.0.0.1:4321"),
        ("[::1]", "missing port in '[::1]': write [HOST]:PORT, for example [::1]:4321"),
        ("[::1]:", "missing port in '[::1]:': write [HOST]:PORT, for example [::1]:4321"),
        ("127.0.0.1:70000", "port 70000 in '127.0.0.1:70000' is out of range: a port is a number from 0 to 65535"),
        ("127.0.0.1:65536", "port 65536 in '127.0.0.1:65536' is out of range: a port is a number from 0 to 65535"),
        ("127.0.0.1:http", "bad port 'http' in '127.0.0.1:http': a port is a number from 0 to 65535"),
        ("127.0.0.1:-1", "bad port '-1' in '127.0.0.1:-1': a port is a number from 0 to 65535"),
        ("127.0.0.1:12a", "bad port '12a' in '127.0.0.1:12a': a port is a number from 0 to 65535"),
        ("[::1]:x", "bad port 'x' in '[::1]:x': a port is a number from 0 to 65535"),
        ("::1:4321", "IPv6 address in '::1:4321' needs brackets: write [::1]:4321"),
        ("fe80::2:53", "IPv6 address in 'fe80::2:53' needs brackets: write [fe80::2]:53"),
        ("[::1:4321", "missing ']' in '[::1:4321': write an IPv6 address as [::1]:4321"),
        ("[127.0.0.1]:80", "'127.0.0.1' in '[127.0.0.1]:80' is not an IPv6 address: brackets hold IPv6 only, as in [::1]:4321"),
        ("[]:4321", "'' in '[]:4321' is not an IPv6 address: brackets hold IPv6 only, as in [::1]:4321"),
        ("[localhost]:4321", "'localhost' in '[localhost]:4321' is not an IPv6 address: brackets hold IPv6 only, as in [::1]:4321"),
    ])
    func rejects(_ text: String, with message: String) {
        let error = #expect(throws: AddressError.self) { try SocketAddress(parsing: text) }
        #expect(error?.description == message)
    }

    @Test func unresolvableHostNamesTheHostAndSuggestsANumericAddress() {
        let error = #expect(throws: AddressError.self) { try SocketAddress(parsing: "no-such-host.invalid:1") }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("cannot resolve host 'no-such-host.invalid' in 'no-such-host.invalid:1' ("))
        #expect(message.hasSuffix("): use a numeric address such as 127.0.0.1"))
    }

    @Test func maximumPayloadPerFamily() {
        #expect(SocketAddress(ipv4: 127, 0, 0, 1, port: 1).maximumPayload == 65507)
        #expect(SocketAddress.ipv6Loopback(port: 1).maximumPayload == 65527)
    }

    @Test func withPortKeepsTheHost() throws {
        let v4 = try SocketAddress(parsing: "10.0.0.7:1").withPort(9)
        #expect(v4.description == "10.0.0.7:9")
        let v6 = try SocketAddress(parsing: "[2001:db8::1]:1").withPort(65535)
        #expect(v6.description == "[2001:db8::1]:65535")
    }

    @Test func familyRawValues() {
        #expect(SocketAddress.Family.inet.rawValue == AF_INET)
        #expect(SocketAddress.Family.inet6.rawValue == AF_INET6)
    }

    @Test(arguments: ["127.0.0.1:4321", "[::1]:4321", "[2001:db8::1]:65535", "0.0.0.0:0"])
    func sockaddrRoundTrip(_ text: String) throws {
        let address = try SocketAddress(parsing: text)
        let (decoded, length) = address.withUnsafeSockaddr { pointer, length in
            (SocketAddress(UnsafeRawPointer(pointer)), Int(length))
        }
        #expect(decoded == address)
        #expect(length == (address.family == .inet ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size))
    }

    @Test func otherFamiliesAreNotAddresses() {
        var unix = sockaddr_storage()
        unix.ss_family = sa_family_t(AF_UNIX)
        let decoded = withUnsafeBytes(of: &unix) { SocketAddress($0.baseAddress!) }
        #expect(decoded == nil)
    }

    @Test func equalAddressesHashAlike() throws {
        let set: Set<SocketAddress> = [
            try SocketAddress(parsing: "127.0.0.1:1"), SocketAddress(ipv4: 127, 0, 0, 1, port: 1),
            try SocketAddress(parsing: "[::1]:1"), .ipv6Loopback(port: 1), try SocketAddress(parsing: "[::1]:2"),
        ]
        #expect(set.count == 3)
    }
}

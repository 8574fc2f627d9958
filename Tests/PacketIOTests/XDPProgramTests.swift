#if canImport(Glibc)
import Glibc
#endif
@testable import PacketIO
import Testing

/// The eBPF encoder and the XDP redirect program, instruction by instruction, and
/// the attachment's refusals through fault injection.
@Suite struct XDPProgramTests {
    typealias I = ExtendedBPFInstruction

    @Test func instructionsEncodeAsTheKernelsStruct() {
        let load = I.load(5, .half, from: 2, offset: 12).cValue
        #expect(load.code == 0x69 && load.regs == 0x25 && load.off == 12 && load.imm == 0)
        let check = I.jumpIfGreater(4, than: 3, offset: 7).cValue
        #expect(check.code == 0x2d && check.regs == 0x34 && check.off == 7)
        let compare = I.jumpIfNotEqual(5, 0xe110, offset: -1).cValue
        #expect(compare.code == 0x56 && compare.regs == 0x05 && compare.off == -1 && compare.imm == 0xe110)
        #expect(I.move(0, constant: 2).cValue.code == 0xb7)
        #expect(I.move(6, from: 1).cValue.code == 0xbf && I.move(6, from: 1).cValue.regs == 0x16)
        #expect(I.add(4, constant: 14).cValue.code == 0x07)
        #expect(I.and(5, constant: 0xff3f).cValue.code == 0x57)
        #expect(I.call(51).cValue.code == 0x85 && I.call(51).cValue.imm == 51)
        #expect(I.exit.cValue.code == 0x95)
        let map = I.loadMap(1, descriptor: 7).map(\.cValue)
        #expect(map.count == 2 && map[0].code == 0x18 && map[0].regs == 0x11 && map[0].imm == 7 && map[1].code == 0)
    }

    /// Every jump lands inside the program, the last two instructions pass, and the redirect calls bpf_redirect_map.
    func checkShape(_ program: [I]) {
        for (index, instruction) in program.enumerated() where instruction.code & 0x07 == 0x05 || instruction.code & 0x07 == 0x06 {
            guard instruction.code != 0x85 && instruction.code != 0x95 else { continue }
            let target = index + 1 + Int(instruction.offset)
            #expect(target > index && target < program.count, "jump at \(index) to \(target)")
        }
        #expect(Array(program.suffix(2)) == [I.move(0, constant: 2), I.exit])
        #expect(program.contains(I.call(51)))
    }

    @Test func anIPv4AddressIsMatchedByHostAndPort() {
        let program = XDPRedirectProgram(address: SocketAddress(ipv4: 198, 19, 0, 1, port: 4321), mapDescriptor: 9).instructions
        checkShape(program)
        #expect(program.contains { $0.code == 0x56 && $0.constant == 0x010013c6 }, "198.19.0.1 as a little-endian load sees it")
        #expect(program.contains { $0.code == 0x56 && $0.constant == 0xe110 }, "port 4321 as a little-endian load sees it")
        #expect(!program.contains { $0.code == 0x16 && $0.constant == 0xdd86 }, "no IPv6 branch")
        #expect(program.count == 32)
    }

    @Test func aWildcardMatchesThePortOnly() {
        let v4 = XDPRedirectProgram(address: .wildcard(.inet, port: 4321), mapDescriptor: 9).instructions
        checkShape(v4)
        #expect(v4.count == 30)
        let v6 = XDPRedirectProgram(address: .wildcard(.inet6, port: 4321), mapDescriptor: 9).instructions
        checkShape(v6)
        #expect(v6.contains { $0.code == 0x16 && $0.constant == 0xdd86 } && v6.contains { $0.code == 0x16 && $0.constant == 0x0008 },
                "both families")
    }

    @Test func anIPv6AddressIsMatchedWordByWord() throws {
        let address = try SocketAddress(parsing: "[2001:db8::1]:4321")
        let program = XDPRedirectProgram(address: address, mapDescriptor: 9).instructions
        checkShape(program)
        #expect(program.filter { $0.code == 0x61 && $0.source == 2 }.map(\.offset) == [38, 42, 46, 50])
    }

    #if DEBUG
    @Test(.enabled(if: geteuid() == 0, "loading a BPF program needs root"))
    func aKernelWithoutXDPLinksIsOneFailureOfTheLinkStep() throws {
        // The map and the program load for real; the link is refused as a kernel before 5.9 would.
        let rule = FaultInjection.failOnThisThread(.bpfLinkCreate, with: EINVAL)
        defer { FaultInjection.remove(rule) }
        do {
            _ = try XDPAttachment(interfaceIndex: 1, address: SocketAddress(ipv4: 127, 0, 0, 1, port: 9), queues: 1)
            Issue.record("attached despite the refusal")
        } catch {
            #expect(error.step == .linkCreate)
            #expect(error.error == SocketError("bpf(BPF_LINK_CREATE)", code: EINVAL))
        }
    }

    @Test func withoutPrivilegesTheMapIsRefused() throws {
        let rule = FaultInjection.failOnThisThread(.bpfMapCreate, with: EPERM)
        defer { FaultInjection.remove(rule) }
        do {
            _ = try XDPAttachment(interfaceIndex: 1, address: SocketAddress(ipv4: 127, 0, 0, 1, port: 9), queues: 1)
            Issue.record("attached despite the refusal")
        } catch {
            #expect(error.step == .mapCreate)
            #expect("\(error)" == "bpf(BPF_MAP_CREATE): operation not permitted")
        }
    }
    #endif
}

#if canImport(Glibc)
import Glibc
#endif
import Testing
import NetLab
import PacketIO
@testable import Engine
import Reporting

/// Refusals of `recv --xdp` that no real condition here can make: the kernel's
/// answers given by fault injection, each turned into its one line.
@Suite(.serialized) struct XDPRefusalTests {
    func refusal(_ call: SystemCall, _ code: Int32, interface: (VethLab) -> String = { $0.hostEnd }) throws -> (RunError?, String) {
        let lab = try VethLab(queues: 1)
        defer { lab.remove() }
        var options = ReceiveOptions()
        options.address = try SocketAddress(parsing: "\(lab.hostAddress):4321")
        options.xdp = XDPOptions(interface: interface(lab))
        #if DEBUG
        let rule = FaultInjection.failOnThisThread(call, with: code)
        defer { FaultInjection.remove(rule) }
        #endif
        do {
            _ = try ReceiveRun(options)
            return (nil, lab.hostEnd)
        } catch {
            return (error, lab.hostEnd)
        }
    }

    #if DEBUG
    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip and python3 for a namespace"))
    func aKernelWithoutXDPLinksIsNamed() throws {
        let (error, _) = try refusal(.bpfLinkCreate, EINVAL)
        #expect(error?.description == "this kernel cannot attach XDP programs through bpf links (bpf(BPF_LINK_CREATE): invalid argument): --xdp needs Linux 5.9 or later")
        #expect(error?.status == 1)
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip and python3 for a namespace"))
    func aDriverThatRefusesTheMTUIsNamed() throws {
        let (error, name) = try refusal(.bpfLinkCreate, ERANGE)
        #expect(error?.description == "the driver of \(name) refused XDP for its MTU (bpf(BPF_LINK_CREATE): numerical result out of range): lower it with 'ip link set dev \(name) mtu 1500'")
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip and python3 for a namespace"))
    func aKernelWithoutAFXDPIsNamed() throws {
        let (error, _) = try refusal(.socket, EAFNOSUPPORT)
        #expect(error?.description == "this kernel has no AF_XDP sockets (socket: address family not supported by protocol): it needs Linux 4.18 or later with CONFIG_XDP_SOCKETS")
    }

    @Test(.enabled(if: VethLab.unavailableReason() == nil, "needs root, ip and python3 for a namespace"))
    func aQueueTheKernelRefusesAtBindIsNamed() throws {
        // sysfs said the queue exists; the bind says otherwise (a driver with fewer active channels).
        let (error, name) = try refusal(.bind, EINVAL)
        #expect(error?.description == "\(name) has no RX queue 0, and --xdp needs queues 0-0, one per thread: raise them with 'ethtool -L \(name) rx 1' (or 'combined 1'), or use --threads 1")
    }
    #endif
}

#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from real inputs: this host's
/proc/net/snmp rows, the fixture trees under Tests/HostStatsTests/Fixtures,
command lines from README.md, and the kernel's binary layouts (cmsg, ethtool
replies, sequence headers). Run from the repository's root; it overwrites only
the files it names. The HostSnapshot corpus comes from Fuzz/Tools/tree-to-records.sh."""
import os
import struct

FIXTURES = "Tests/HostStatsTests/Fixtures"
CORPUS = "Fuzz/Corpus"


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def fixture(path):
    with open(os.path.join(FIXTURES, path), "rb") as f:
        return f.read()


# SequenceHeader: magic 0x4D50 LE, kind, host tag, flow, sequence[, send time].
def header(kind, tag, flow, sequence, time=None):
    data = struct.pack("<HBBIQ", 0x4D50, kind, tag, flow, sequence)
    return data + (struct.pack("<Q", time) if time is not None else b"")

write("SequenceHeader", "data-16", header(1, 0x2a, 7, 0))
write("SequenceHeader", "data-24-time", header(1, 0x2a, 7, 12345, 987654321))
write("SequenceHeader", "end-of-flow", header(2, 0x2a, 7, 200000))
write("SequenceHeader", "last-sequence", header(1, 0, 0, 2**64 - 1))
write("SequenceHeader", "blank-32", bytes(32))

# ControlMessages: struct cmsghdr { size_t len; int level; int type; } + data, 8-aligned.
# UDPFrame: Ethernet frames as an AF_XDP socket receives them (the headers mpps send's
# datagrams arrive with on a veth), over IPv4 and IPv6, plus what the program passes on.
def udp_frame(payload, ipv6=False, port=4321):
    ether = bytes(6) + bytes([0x02, 0, 0, 0, 0, 1]) + (b"\x86\xdd" if ipv6 else b"\x08\x00")
    udp = (5000).to_bytes(2, "big") + port.to_bytes(2, "big") + (8 + len(payload)).to_bytes(2, "big") + bytes(2)
    if ipv6:
        ip = bytes([0x60, 0, 0, 0]) + (8 + len(payload)).to_bytes(2, "big") + bytes([17, 64]) \
            + bytes([0x20, 1, 0x0d, 0xb8] + [0] * 11 + [2]) + bytes([0x20, 1, 0x0d, 0xb8] + [0] * 11 + [1])
    else:
        ip = bytes([0x45, 0]) + (20 + 8 + len(payload)).to_bytes(2, "big") + bytes([0, 0, 0x40, 0, 64, 17, 0, 0]) \
            + bytes([198, 19, 0, 2, 198, 19, 0, 1])
    return ether + ip + udp + payload

write("UDPFrame", "ipv4-header-24", udp_frame(header(1, 0x2a, 7, 12345, 987654321) + bytes(8)))
write("UDPFrame", "ipv4-blank-32", udp_frame(bytes(32)))
write("UDPFrame", "ipv6-header-16", udp_frame(header(1, 0x2a, 7, 0) + bytes(16), ipv6=True))
write("UDPFrame", "ipv4-end-of-flow", udp_frame(header(2, 0x2a, 7, 200000) + bytes(16)))
write("UDPFrame", "arp", bytes(12) + b"\x08\x06" + bytes(28))


def cmsg(level, type_, data):
    message = struct.pack("<qii", 16 + len(data), level, type_) + data
    return message + bytes(-len(message) % 8)

SOL_UDP, UDP_GRO, SOL_SOCKET, SO_TIMESTAMPNS = 17, 104, 1, 35
gro = cmsg(SOL_UDP, UDP_GRO, struct.pack("<I", 1472))
write("ControlMessages", "gro-1472", gro)
write("ControlMessages", "timestamp-then-gro", cmsg(SOL_SOCKET, SO_TIMESTAMPNS, struct.pack("<qq", 1, 2)) + gro)
write("ControlMessages", "chosen-level-type", struct.pack("<ii", SOL_SOCKET, SO_TIMESTAMPNS)
      + cmsg(SOL_UDP, UDP_GRO, struct.pack("<I", 32)) + cmsg(SOL_SOCKET, SO_TIMESTAMPNS, struct.pack("<qq", 3, 4)))
write("ControlMessages", "empty-control", b"")

# QueuedSocketError: u16 name length, the name (the failed datagram's destination),
# then the control area: an IP_RECVERR / IPV6_RECVERR message holding a
# sock_extended_err (errno, origin, type, code, pad, info, data) and the offender.
IPPROTO_IP, IP_RECVERR, IPPROTO_IPV6, IPV6_RECVERR, IPV6_PKTINFO = 0, 11, 41, 25, 50
def sockaddr_in(octets, port):
    return struct.pack("<H", 2) + struct.pack(">H", port) + bytes(octets) + bytes(8)
def sockaddr_in6(address16, port):
    return struct.pack("<H", 10) + struct.pack(">H", port) + bytes(4) + address16 + bytes(4)
def extended_err(errno, origin, type_, code, info=0):
    return struct.pack("<IBBBBII", errno, origin, type_, code, 0, info, 0)
def queued(name, control):
    return struct.pack("<H", len(name)) + name + control
loopback6 = bytes(15) + b"\x01"
write("QueuedSocketError", "ipv4-port-unreachable", queued(sockaddr_in([127, 0, 0, 1], 4321),
      cmsg(IPPROTO_IP, IP_RECVERR, extended_err(111, 2, 3, 3) + sockaddr_in([127, 0, 0, 1], 0))))
write("QueuedSocketError", "ipv6-port-unreachable", queued(sockaddr_in6(loopback6, 4321),
      cmsg(IPPROTO_IPV6, IPV6_RECVERR, extended_err(111, 3, 1, 4) + sockaddr_in6(loopback6, 0))))
write("QueuedSocketError", "local-message-too-long", queued(sockaddr_in([127, 0, 0, 1], 9),
      cmsg(IPPROTO_IP, IP_RECVERR, extended_err(90, 1, 0, 0, 1500) + bytes(16))))
write("QueuedSocketError", "after-pktinfo", queued(sockaddr_in6(loopback6, 53),
      cmsg(IPPROTO_IPV6, IPV6_PKTINFO, loopback6 + struct.pack("<I", 1))
      + cmsg(IPPROTO_IPV6, IPV6_RECVERR, extended_err(113, 3, 1, 3) + sockaddr_in6(loopback6, 0))))
write("QueuedSocketError", "no-name", queued(b"", cmsg(IPPROTO_IP, IP_RECVERR, extended_err(111, 2, 3, 3))))

# CPUList: --cpus values, sysfs lists, rps_cpus masks.
for name, text in [("range-and-single", "0-3,8"), ("one", "1"), ("online", "0-23\n"), ("siblings", "0,12\n"),
                   ("all", "0-1023"), ("mask-ff", "ff\n"), ("mask-groups", "00000000,00000f00\n"), ("mask-zero", "0\n")]:
    write("CPUList", name, text)

# SocketAddress: targets and listen addresses as the README writes them.
for name, text in [("ipv4", "127.0.0.1:4321"), ("ipv6", "[::1]:4400"), ("wildcard", "0.0.0.0:4321"),
                   ("port-only", ":4321"), ("name", "localhost:4321"), ("range", "127.0.0.1-20:4321"),
                   ("link-local", "[fe80::1]:9"), ("mapped", "[::ffff:10.0.0.1]:65535")]:
    write("SocketAddress", name, text)

# JSONValue: the lines mpps writes (docs/json.md), numbers filled in.
lines = {
    "ready": '{"type":"ready","address":"127.0.0.1:4321","threads":2,"reuseport":true,"steer":"hash","cpus":[0,1],"batch":512,"gro":false,"rx_usecs":0,"rcvbuf":8388608,"pid":4242}',
    "interval": '{"type":"interval","elapsed":1.000,"packets":1180000,"bytes":37760000,"pps":1180000.5,"calls":2305,"threads":[{"id":0,"cpu":1,"packets":590000}]}',
    "summary": '{"type":"summary","packets":18446744073709551615,"bytes":0,"seconds":6.002,"pps_mean":1.2e6,"pps_min":0,"pps_max":-1,"calls":1,"threads":[1],"refused":0,"no_buffers":0,"truncated":0,"stop":"duration"}',
    "lab-experiment": '{"type":"experiment","name":"reuseport","sender":["mpps","send","127.0.0.1:4321"],"drops":{"socket":0,"backlog":3},"shares":[0.5,0.5],"notes":["a \\"quoted\\" note\\n\\u00e9"],"limit":null}',
    "lines": '{"type":"ready","pid":1}\n{"type":"summary","rate":1e5,"stop":"done"}\n',
}
for name, text in lines.items():
    write("JSONValue", name, text)

# UDPStatistics: this kernel's rows (one reading; two readings separated by NUL).
snmp = ("Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
        "Udp: 47021883 798437 11565193 47052127 11565193 0 0 0 0\n"
        "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
        "UdpLite: 0 0 0 0 0 0 0 0 0\n")
later = snmp.replace("47021883", "48021883").replace("11565193 47052127 11565193", "11565200 48052127 11565200")
snmp6 = "".join(f"{name:<32}\t{value}\n" for name, value in [
    ("Ip6InReceives", 801583), ("Udp6InDatagrams", 801414), ("Udp6NoPorts", 19), ("Udp6InErrors", 144),
    ("Udp6OutDatagrams", 801563), ("Udp6RcvbufErrors", 144), ("Udp6SndbufErrors", 0), ("Udp6InCsumErrors", 0),
    ("Udp6IgnoredMulti", 0), ("Udp6MemErrors", 0), ("UdpLite6InDatagrams", 0)])
write("UDPStatistics", "snmp", snmp)
write("UDPStatistics", "snmp6", snmp6)
write("UDPStatistics", "snmp-two-readings", snmp + "\0" + later)

# SoftnetStatistics and InterruptTable: the fixture hosts' files (11, 13 and 15 columns).
for host in ["vm-virtio", "article-sfc", "mlx5-1socket"]:
    softnet = fixture(f"{host}/proc/net/softnet_stat")
    write("SoftnetStatistics", host, softnet)
    write("InterruptTable", host, fixture(f"{host}/proc/interrupts"))
write("SoftnetStatistics", "vm-virtio-two-readings", fixture("vm-virtio/proc/net/softnet_stat") + b"\0"
      + fixture("vm-virtio/proc/net/softnet_stat").replace(b"00000000", b"00000001", 2))

# EthtoolText: the fixtures' ethtool -S, -l and -n output.
for host, files in [("vm-virtio", ["ethtool-S-eth0.txt", "ethtool-l-eth0.txt", "ethtool-n-eth0-udp4.txt"]),
                    ("article-sfc", ["ethtool-S-eth2.txt", "ethtool-l-eth2.txt", "ethtool-n-eth2-udp6.txt"]),
                    ("mlx5-1socket", ["ethtool-S-enp59s0f0np0.txt", "ethtool-l-enp59s0f0np0.txt", "ethtool-n-enp59s0f0np0-udp4.txt"])]:
    for file in files:
        write("EthtoolText", f"{host}-{file[:-4]}", fixture(f"{host}/{file}"))
write("EthtoolText", "bnxt-names", "NIC statistics:\n     [0]: rx_ucast_packets: 10\n     [0]: rx_mcast_packets: 2\n     [1]: rx_ucast_packets: 7\n")

# EthtoolBuffers: the replies the kernel writes for the same statistics, as
# Ethtool.statisticNames(reply:) and statisticValues(reply:) read them.
ETHTOOL_GSTRINGS, ETHTOOL_GSTATS, ETH_SS_STATS = 0x1b, 0x1d, 1

def ethtool_pairs(text):
    pairs = []
    for line in text.decode().splitlines():
        line = line.strip()
        if not line or line.endswith("statistics:"):
            continue
        name, value = line.rsplit(": ", 1)
        pairs.append((name, int(value)))
    return pairs

def replies(pairs):
    names = struct.pack("<III", ETHTOOL_GSTRINGS, ETH_SS_STATS, len(pairs))
    names += b"".join(name.encode()[:32].ljust(32, b"\0") for name, _ in pairs)
    values = struct.pack("<II", ETHTOOL_GSTATS, len(pairs)) + b"".join(struct.pack("<Q", v) for _, v in pairs)
    return struct.pack("<H", len(names)) + names + values

write("EthtoolBuffers", "virtio", replies(ethtool_pairs(fixture("vm-virtio/ethtool-S-eth0.txt"))))
write("EthtoolBuffers", "sfc", replies(ethtool_pairs(fixture("article-sfc/ethtool-S-eth2.txt"))[-40:]))
write("EthtoolBuffers", "mlx5", replies(ethtool_pairs(fixture("mlx5-1socket/ethtool-S-enp59s0f0np0.txt"))[:48]))
write("EthtoolBuffers", "veth", replies([("peer_ifindex", 7), ("rx_queue_0_xdp_packets", 1000), ("rx_queue_1_xdp_packets", 2**64 - 1),
                                         ("rx_queue_0_xdp_bytes", 32000), ("tx_queue_0_xdp_xmit", 0)]))

# Arguments: a byte choosing the command (0 recv, 1 send, 2 demo, 3 doctor, 4 lab,
# 5 ndr, 6 udpreceiver1), then the README's command lines, NUL-separated.
commands = {
    "recv-cpus": (0, ["127.0.0.1:4321", "--cpus", "1"]),
    "recv-reuseport": (0, ["0.0.0.0:4321", "--threads", "4", "--reuseport", "--cpus", "1-4", "--batch=64"]),
    "recv-steer": (0, ["0.0.0.0:4321", "--threads", "2", "--reuseport", "--steer", "cpu", "--cpus", "0-1", "--rcvbuf", "4M"]),
    "recv-json": (0, ["[::1]:4400", "--json", "--duration", "6", "--count", "200k", "--interval", "0.5"]),
    "send-gso": (1, ["127.0.0.1-20:4321", "--threads", "2", "--rate", "1.5M", "--gso", "64", "--", "-x"]),
    "demo": (2, ["--seconds", "2"]),
    "doctor": (3, ["--root", "Tests/HostStatsTests/Fixtures/vm-virtio", "--json"]),
    "lab": (4, ["--seconds", "2", "--netns", "--port", "4321", "--json"]),
    "ndr": (5, ["127.0.0.1:4321", "--min", "100k", "--max", "2M", "--loss", "0.001", "--steps", "8", "--trial=1"]),
    "udpreceiver1": (6, ["0.0.0.0:4321", "4", "1"]),
}
for name, (selector, argv) in commands.items():
    write("Arguments", name, bytes([selector]) + "\0".join(argv).encode())

# TrialMeasurement: a receiver's and a sender's --json output (README.md, TrialsTests), NUL between.
receiver_output = (lines["ready"] + "\n"
    + '{"type":"interval","elapsed":1.000,"packets":900,"bytes":28800,"pps":900.0,"calls":9,"threads":[{"id":0,"cpu":0,"packets":600}]}\n'
    + '{"type":"summary","packets":900,"bytes":28800,"seconds":3.2,"pps_mean":281.2,"pps_min":0.0,"pps_max":500.0,"calls":9,'
    + '"threads":[600,300],"refused":0,"no_buffers":0,"truncated":0,"stop":"signal","kernel":{"udp_in":906,"rcvbuf_errors":94,'
    + '"in_errors":94,"no_ports":0,"mem_errors":0},"socket_drops":94,"softnet":[{"cpu":0,"processed":1000,"dropped":4,'
    + '"time_squeeze":0},{"cpu":1,"processed":0,"dropped":2,"time_squeeze":0}],"lost":100,"reordered":0,"duplicates":0,'
    + '"flows":2,"flows_without_end":0,"untracked":0,"end_markers":6,"latency_us":{"p50":1.5,"p99":3.0,"p999":4.0,"max":5.0},'
    + '"incoming_cpus":[0,-1]}\n')
sender_output = ('{"type":"ready","targets":["127.0.0.1:4321"],"threads":1,"flows":1,"payload":32,"headers":true,"batch":1024,'
    + '"gso":1,"rate":null,"count":null,"cpus":null,"pid":4243}\n'
    + '{"type":"summary","packets":1000,"bytes":32000,"seconds":2.000,"pps_mean":500.0,"pps_min":500.0,"pps_max":500.0,'
    + '"calls":1,"threads":[500,500],"refused":0,"no_buffers":0,"truncated":0,"stop":"duration"}\n')
write("TrialMeasurement", "lab-pair", receiver_output + "\0" + sender_output)
write("TrialMeasurement", "gro-no-headers",
      '{"type":"ready","gro":true}\n{"type":"summary","packets":640000,"seconds":1.0,"threads":[640000],"socket_drops":3,"incoming_cpus":[1]}\n'
      + "\0" + '{"type":"summary","packets":700000,"seconds":1.0,"refused":0}\n')
write("TrialMeasurement", "half-ready", '{"type":"ready","address":"0.0.0.0:43')


# PingReply: a selector (bit 0: open loop, bit 1: from a stranger), then datagrams as a length
# byte and the bytes. Headers: magic 0x5047, flow, token, sequence, intended, actual (ns).
def ping(sequence, intended, actual, token=0x12345678, flow=0):
    return struct.pack("<HHIQQQ", 0x5047, flow, token, sequence, intended, actual)


def datagrams(*payloads):
    return b"".join(bytes([len(p)]) + p for p in payloads)


now = 2**41
closed = ping(7, now - 50_000, now - 50_000)
write("PingReply", "closed-reply-and-duplicate", bytes([0]) + datagrams(closed, closed))
write("PingReply", "closed-late", bytes([0]) + datagrams(ping(8, now - 5_000_000, now - 5_000_000)))
write("PingReply", "open-reply", bytes([1]) + datagrams(ping(3, 1000 + 3000, now - 20_000)))
write("PingReply", "forged-token", bytes([0]) + datagrams(ping(7, now - 1, now - 1, token=1)))
write("PingReply", "stranger", bytes([2]) + datagrams(closed))
def sockperf(sequence, flags=2, length=46):
    return struct.pack(">QHI", sequence, flags, length)


write("PingReply", "sockperf-reply-and-client-flag", bytes([4]) + datagrams(sockperf(7) + closed, sockperf(7, flags=3) + closed))
write("PingReply", "sockperf-open-wrong-sequence", bytes([5]) + datagrams(sockperf(4) + ping(3, 1000 + 3000, now - 20_000)))
write("PingReply", "short-and-far-sequence", bytes([0]) + datagrams(closed[:20], ping(2**39, now - 9, now - 9), closed))


# EchoFlows: datagrams as a length byte (its top two bits choose one of four sources) and the bytes.
def from_source(source, *payloads):
    return b"".join(bytes([len(p) | source << 6]) + p for p in payloads)


write("EchoFlows", "in-order", from_source(0, *[ping(s, 0, 0, token=7) for s in range(20)]))
write("EchoFlows", "gaps-repeats-late", from_source(0, *[ping(s, 0, 0, token=7, flow=1) for s in [0, 1, 2, 4, 3, 5, 5, 8, 9]]))
write("EchoFlows", "stranger-same-token", from_source(0, ping(0, 0, 0, token=7), ping(1, 0, 0, token=7))
      + from_source(1, ping(10**9, 0, 0, token=7)) + from_source(2, ping(3, 0, 0, token=7))
      + from_source(0, ping(2, 0, 0, token=7), ping(2**33, 0, 0, token=7), ping(2**48, 0, 0, token=7)))
write("EchoFlows", "not-a-header", datagrams(b"hello", b"P" * 32, ping(1, 0, 0)[:31]))

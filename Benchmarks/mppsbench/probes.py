"""Looking at the kernel from outside the programs: the UDP counters of /proc/net/snmp,
free and listening ports, and waiting until a program listens or traffic flows."""

import socket
import time


def snmp_udp():
    """The `Udp:` row of /proc/net/snmp (of this network namespace) as a dict."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    return dict(zip(rows[0][1:], map(int, rows[1][1:])))


def free_port():
    """A port free for UDP and TCP on 127.0.0.1 (iperf3 also needs TCP)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                    t.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port")


def port_listening(port, proto):
    """True when some socket is bound to `port` (UDP) or listens on it (TCP), per /proc/net
    (IPv4 and IPv6 tables: iperf3 listens on a dual-stack socket)."""
    for table in (proto, proto + "6"):
        try:
            with open(f"/proc/net/{table}") as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if int(fields[1].split(":")[1], 16) == port and (proto == "udp" or fields[3] == "0A"):
                        return True
        except FileNotFoundError:
            pass
    return False


def wait_listening(port, proto, child, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_listening(port, proto):
            return
        if child.poll():
            raise RuntimeError(f"{child.argv[0]} exited early: {child.stderr().strip()[-300:]}")
        time.sleep(0.01)
    raise RuntimeError(f"{' '.join(child.argv)} did not listen on {port} within {timeout} s")


def wait_for_traffic(child, timeout):
    """Polls /proc/net/snmp until datagrams start arriving (InDatagrams + InErrors grow);
    returns when they did. sockperf spends about two seconds warming up before its test."""
    def arrived():
        u = snmp_udp()
        return u["InDatagrams"] + u["InErrors"]
    first = arrived()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.01)
        if arrived() - first > 1000:
            return time.monotonic()
        if child.poll():
            break
    raise RuntimeError(f"no traffic from {' '.join(child.argv)} within {timeout} s")


def sleep_until(t):
    delay = t - time.monotonic()
    if delay > 0:
        time.sleep(delay)

#!/usr/bin/env python3
"""mpps ping's RTT percentiles against an independent capture (tcpdump on lo).

    Benchmarks/ping-capture.py [--rate 200000] [--seconds 2] [--bin .build/release]

`mpps echo` on CPU 1, `mpps ping --rate R` on CPU 0 for S seconds, tcpdump capturing the
exchange on lo with nanosecond timestamps. Each request and its reply carry the same
32-byte ping header (thread, sequence, intended and actual send times), so the capture
pairs them itself: its RTT is the reply's capture time minus the request's. The header's
intended time is placed on the capture's clock by the median offset between a request's
capture time and its actual send time, which gives the capture's RTT from the intended
time as well. Prints both tools' p50/p99/p99.9 and the ratios. mpps's percentiles are the
upper edge of a histogram bucket 12.5 % wide. Needs tcpdump and a built mpps; run as root.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import struct
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def packets(path):
    """(seconds as a float with ns, source port, destination port, UDP payload) per IPv4 UDP packet of a pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack_from("<I", data, 0)
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    link, = struct.unpack_from("<I", data, 20)
    offset = 24
    while offset + 16 <= len(data):
        seconds, fraction, captured, _ = struct.unpack_from("<IIII", data, offset)
        frame = data[offset + 16: offset + 16 + captured]
        offset += 16 + captured
        ip = frame[14:] if link == 1 else frame[16:] if link == 113 else frame
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        header = (ip[0] & 0x0F) * 4
        source, destination = struct.unpack_from("!HH", ip, header)
        yield seconds + fraction * scale, source, destination, ip[header + 8:]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * fraction + 0.999999) - 1))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200000)
    parser.add_argument("--seconds", type=float, default=2)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    args = parser.parse_args()
    port = free_port()
    capture = tempfile.NamedTemporaryFile(suffix=".pcap", delete=False).name
    echo = subprocess.Popen([f"{args.bin}/mpps", "echo", f"127.0.0.1:{port}", "--cpus", "1", "--json", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    echo.stdout.readline()
    dump = subprocess.Popen(["tcpdump", "-i", "lo", "-n", "-s", "128", "-B", "262144", "--time-stamp-precision=nano",
                             "-w", capture, f"udp port {port}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    while "listening on" not in dump.stderr.readline():
        pass
    ping = subprocess.run([f"{args.bin}/mpps", "ping", f"127.0.0.1:{port}", "--rate", str(args.rate), "--cpus", "0",
                           "--duration", str(args.seconds), "--json", "--quiet"], capture_output=True, text=True, check=True)
    time.sleep(0.5)
    dump.send_signal(signal.SIGINT)
    tail = dump.stderr.read()
    dump.wait()
    echo.send_signal(signal.SIGINT)
    echo.wait()
    summary = json.loads(ping.stdout.strip().splitlines()[-1])

    requests, replies = {}, {}
    for when, source, destination, payload in packets(capture):
        if len(payload) < 32 or payload[0:2] != b"\x47\x50":
            continue
        thread, sequence, intended, actual = struct.unpack_from("<H", payload, 2)[0], *struct.unpack_from("<QQQ", payload, 8)
        key = (thread, sequence)
        if destination == port:
            requests.setdefault(key, (when, intended, actual))
        elif source == port:
            replies.setdefault(key, when)
    os.unlink(capture)
    paired = [(requests[k], replies[k]) for k in requests if k in replies]
    offset = statistics.median(when - actual / 1e9 for (when, _, actual), _ in paired)
    actual_rtt = [(reply - when) * 1e6 for (when, _, _), reply in paired]
    intended_rtt = [(reply - (intended / 1e9 + offset)) * 1e6 for (_, intended, _), reply in paired]

    print(f"`Benchmarks/ping-capture.py --rate {args.rate} --seconds {args.seconds}`: {summary['sent']} requests sent, "
          f"{summary['replies']} replies; the capture paired {len(paired)} ({len(requests)} requests, {len(replies)} replies "
          f"seen; tcpdump: {' '.join(line.strip() for line in tail.splitlines() if 'dropped' in line)})\n")
    print("| RTT µs | p50 | p99 | p99.9 |")
    print("| --- | --- | --- | --- |")
    rows = (("mpps ping, from the intended send time", summary["rtt_us"]),
            ("capture, from the intended send time", intended_rtt),
            ("mpps ping, from the actual send time", summary["rtt_actual_us"]),
            ("capture, request to reply", actual_rtt))
    for label, values in rows:
        if isinstance(values, dict):
            print(f"| {label} | {values['p50']} | {values['p99']} | {values['p999']} |")
        else:
            print(f"| {label} | {percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f} | {percentile(values, 0.999):.1f} |")
    print(f"\np99 ratio mpps / capture: intended {summary['rtt_us']['p99'] / percentile(intended_rtt, 0.99):.3f}, "
          f"actual {summary['rtt_actual_us']['p99'] / percentile(actual_rtt, 0.99):.3f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""mpps echo and mpps ping against sockperf and a plain C echo, A/B alternated in one run.

    Benchmarks/echo-ping.py [--rounds 5] [--seconds 5] [--rate 100000] [--bin .build/release]

1. Latency, closed loop, one request in flight, 32 bytes, loopback, client on CPU 0 and
   server on CPU 1: `mpps ping --inflight 1` -> `mpps echo`, then `sockperf pp --full-rtt`
   -> `sockperf sr`, alternated; p50, p99 and mean of each trial (sockperf's percentiles and
   average, mpps's rtt_us), medians, and the mpps/sockperf ratio of the medians. mpps's
   percentiles are the upper edge of a histogram bucket 0.8 % wide (up to 0.8 % above the
   value); its p50 bucket's lower edge is printed too, and its mean is exact (a sum).
2. Echo CPU per request under the same open-loop load (`mpps ping --rate R` on CPU 0):
   `mpps echo` and Benchmarks/baseline/echo_baseline.c on CPU 1, alternated; each echo's
   CPU time from wait4's rusage (user + system) over the requests it counted.
Prints a Markdown section for BENCHMARKS.md. Needs sockperf, gcc and a built mpps.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command):
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def wait_ready(process):
    line = process.stdout.readline()
    if '"ready"' not in line:
        raise SystemExit(f"{process.args[0]} did not get ready: {line!r}")


def stop(process):
    """SIGINT, then wait4 for the process's rusage; returns (stdout, cpu seconds)."""
    process.send_signal(signal.SIGINT)
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return process.stdout.read(), usage.ru_utime + usage.ru_stime


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def mpps_pingpong(bin_dir, seconds):
    port = free_port()
    echo = start([f"{bin_dir}/mpps", "echo", f"127.0.0.1:{port}", "--cpus", "1", "--json", "--quiet"])
    wait_ready(echo)
    ping = subprocess.run([f"{bin_dir}/mpps", "ping", f"127.0.0.1:{port}", "--inflight", "1", "--payload", "32",
                           "--cpus", "0", "--duration", str(seconds), "--json", "--quiet"],
                          capture_output=True, text=True, check=True)
    stop(echo)
    rtt = last_json(ping.stdout)["rtt_us"]
    return rtt["p50"], rtt["p99"], rtt["mean"], bucket_floor(rtt)


def bucket_floor(rtt):
    """The lower edge (µs) of the histogram bucket that holds the p50 (each power of two split in 128)."""
    histogram = rtt["histogram"]
    rank, seen = (sum(count for _, count in histogram) + 1) // 2, 0
    for upper, count in histogram:
        seen += count
        if seen >= rank:
            value = round(upper * 1000)
            width = 1 << max(value.bit_length() - 1 - 7, 0)
            return (value // width) * width / 1000
    return None


def sockperf_pingpong(seconds):
    port = free_port()
    server = subprocess.Popen(["taskset", "-c", "1", "sockperf", "sr", "-i", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # sockperf sr prints no ready line a script can wait for
    client = subprocess.run(["taskset", "-c", "0", "sockperf", "pp", "-i", "127.0.0.1", "-p", str(port), "-m", "32",
                             "-t", str(int(seconds)), "--full-rtt"], capture_output=True, text=True)
    server.send_signal(signal.SIGINT)
    server.wait()
    text = client.stdout + client.stderr
    p50 = float(re.search(r"percentile 50\.000 =\s+([0-9.]+)", text).group(1))
    p99 = float(re.search(r"percentile 99\.000 =\s+([0-9.]+)", text).group(1))
    mean = float(re.search(r"Round trip is ([0-9.]+) usec", text).group(1))
    return p50, p99, mean, p50


def echo_cpu(bin_dir, baseline, seconds, rate, which):
    port = free_port()
    if which == "mpps":
        echo = start([f"{bin_dir}/mpps", "echo", f"127.0.0.1:{port}", "--cpus", "1", "--json", "--quiet"])
    else:
        echo = start([baseline, f"127.0.0.1:{port}", "--cpu", "1"])
    wait_ready(echo)
    ping = subprocess.run([f"{bin_dir}/mpps", "ping", f"127.0.0.1:{port}", "--rate", str(rate), "--cpus", "0",
                           "--duration", str(seconds), "--json", "--quiet"], capture_output=True, text=True, check=True)
    out, cpu = stop(echo)
    result = last_json(out)
    summary = last_json(ping.stdout)
    return cpu * 1e9 / max(result["requests"], 1), result["requests"], summary["replies"], summary["sent"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rate", type=int, default=100000)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release"))
    parser.add_argument("--latency-only", action="store_true", help="skip the echo CPU part")
    parser.add_argument("--bin-b", help="a second build of mpps, whose ping-pong runs alternated with the first's (A/B of a change)")
    args = parser.parse_args()
    baseline = os.path.join(ROOT, "Benchmarks/out/echo_baseline")
    os.makedirs(os.path.dirname(baseline), exist_ok=True)
    subprocess.run(["gcc", "-O2", "-Wall", "-o", baseline, os.path.join(ROOT, "Benchmarks/baseline/echo_baseline.c")], check=True)

    latency = {"mpps": [], "sockperf": []}
    if args.bin_b:
        latency["mpps B"] = []
    cpu = {"mpps": [], "C": []}
    for round_ in range(args.rounds):
        latency["mpps"].append(mpps_pingpong(args.bin, args.seconds))
        latency["sockperf"].append(sockperf_pingpong(args.seconds))
        if args.bin_b:
            latency["mpps B"].append(mpps_pingpong(args.bin_b, args.seconds))
        if not args.latency_only:
            cpu["mpps"].append(echo_cpu(args.bin, baseline, args.seconds, args.rate, "mpps"))
            cpu["C"].append(echo_cpu(args.bin, baseline, args.seconds, args.rate, "C"))
        print(f"round {round_ + 1}: {latency['mpps'][-1]} {latency['sockperf'][-1]} "
              f"{cpu['mpps'][-1:]} {cpu['C'][-1:]}", file=sys.stderr)

    def med(values, index):
        return statistics.median(v[index] for v in values)

    print("### Request and response: mpps ping → mpps echo against sockperf and a C echo\n")
    print(f"`Benchmarks/echo-ping.py --rounds {args.rounds} --seconds {args.seconds} --rate {args.rate}` "
          "(client on CPU 0, server on CPU 1, loopback, 32 bytes; A/B alternated, medians).\n")
    print("| closed loop, 1 in flight | p50 RTT µs | p50 bucket from µs | mean RTT µs | p99 RTT µs |")
    print("| --- | --- | --- | --- | --- |")
    rows = [("mpps", "mpps ping --inflight 1 → mpps echo"), ("sockperf", "sockperf pp --full-rtt → sockperf sr")]
    if args.bin_b:
        rows.append(("mpps B", f"the same, {args.bin_b}"))
    for name, label in rows:
        print(f"| {label} | {med(latency[name], 0):.1f} | {med(latency[name], 3):.1f} | {med(latency[name], 2):.1f} | "
              f"{med(latency[name], 1):.1f} |")
    print(f"| ratio mpps / sockperf | {med(latency['mpps'], 0) / med(latency['sockperf'], 0):.3f} | "
          f"{med(latency['mpps'], 3) / med(latency['sockperf'], 0):.3f} | "
          f"{med(latency['mpps'], 2) / med(latency['sockperf'], 2):.3f} | "
          f"{med(latency['mpps'], 1) / med(latency['sockperf'], 1):.3f} |\n")
    if args.latency_only:
        for name in latency:
            print(f"- {name} latency: " + ", ".join(f"{a:.1f}/{b:.1f}/{c:.1f}" for a, b, c, _ in latency[name]))
        return
    print(f"| echo under mpps ping --rate {args.rate} | CPU ns per request (wait4) | requests | ping replies / sent |")
    print("| --- | --- | --- | --- |")
    for name, label in (("mpps", "mpps echo"), ("C", "echo_baseline.c (recvmmsg → sendmmsg in place)")):
        print(f"| {label} | {med(cpu[name], 0):.0f} | {med(cpu[name], 1):.0f} | {med(cpu[name], 2):.0f} / {med(cpu[name], 3):.0f} |")
    print(f"| ratio mpps / C | {med(cpu['mpps'], 0) / med(cpu['C'], 0):.3f} | | |\n")
    print("Every trial (p50/p99/mean µs; ns per request, requests, replies, sent):\n")
    for name in latency:
        print(f"- {name} latency: " + ", ".join(f"{a:.1f}/{b:.1f}/{c:.1f}" for a, b, c, _ in latency[name]))
    for name in cpu:
        print(f"- {name} echo CPU: " + ", ".join(f"{a:.0f} ns ({b}, {c}/{d})" for a, b, c, d in cpu[name]))


if __name__ == "__main__":
    main()

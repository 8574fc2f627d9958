#!/usr/bin/env python3
"""Strangers without a flow key (issue 21): `mpps recv` while made-up flows arrive.

Starts `mpps recv 127.0.0.1:PORT --json --rcvbuf 64M`, sends FLOWS made-up flows
(2 headers each: a random sequence number below 2^20, then the next one) before and
during a real `mpps send --count 20000 --rate 50k`, then stops the receiver and
prints the receiver's resident memory (at start, and its peak, VmHWM), the real
flow's account from `flow_accounts` and the run's `lost`, `unjudged`, `evicted_flows`.

    Benchmarks/strangers.py                      # 1,000,000 made-up flows, .build/release
    Benchmarks/strangers.py --flows 200000 --bin .build/debug
"""

import argparse
import json
import os
import random
import signal
import socket
import struct
import subprocess
import threading
import time


def resident(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def strangers(port, first, count, seed):
    """Sends `count` made-up flows from id `first` on, two data headers each, in turns of 1000 flows."""
    rng = random.Random(seed)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = 0
    for base in range(first, first + count, 1000):
        flows = [((index * 0x9E3779B1) ^ 0x5A5A5A5A) & 0xFFFFFFFF for index in range(base, min(base + 1000, first + count))]
        starts = [rng.randrange(1 << 20) for _ in flows]
        for step in range(2):
            for flow, start in zip(flows, starts):
                # magic 0x4D50, kind 1 (data), host tag 0, flow id, sequence; 32 bytes.
                header = struct.pack("<HBBIQ", 0x4D50, 1, 0, flow, start + step) + bytes(16)
                sock.sendto(header, ("127.0.0.1", port))
                sent += 1
        time.sleep(0.002)
    sock.close()
    return sent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=1_000_000, help="made-up flows in all, half before, half during")
    parser.add_argument("--bin", default=".build/release", help="the directory of the mpps binary")
    args = parser.parse_args()
    mpps = os.path.join(args.bin, "mpps")
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    receiver = subprocess.Popen([mpps, "recv", f"127.0.0.1:{port}", "--json", "--rcvbuf", "64M", "--duration", "600"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready = json.loads(receiver.stdout.readline())
        assert ready.get("type") == "ready", ready
        at_start = resident(receiver.pid, "VmRSS")
        half = args.flows // 2
        data = strangers(port, 0, half, 1)
        counts = {}
        during = threading.Thread(target=lambda: counts.update(during=strangers(port, half, args.flows - half, 2)))
        during.start()
        real = subprocess.run([mpps, "send", f"127.0.0.1:{port}", "--count", "20000", "--rate", "50k", "--quiet"])
        during.join()
        data += counts["during"] + 20_000
        time.sleep(2)  # a script, not a test: let the receiver drain its socket
        peak = resident(receiver.pid, "VmHWM")
        receiver.send_signal(signal.SIGINT)
        out, _ = receiver.communicate(timeout=30)
    finally:
        if receiver.poll() is None:
            receiver.kill()
    summary = [json.loads(line) for line in out.splitlines() if line.startswith("{")][-1]
    print(f"made-up flows {args.flows:,} ({data - 20_000:,} headers), real flow 20,000 (mpps send exit {real.returncode})")
    print(f"receiver RSS at start {at_start / 1024:.1f} MiB, peak (VmHWM) {peak / 1024:.1f} MiB")
    print(f"datagrams counted {summary['packets']:,} of {data:,} sent; socket drops {summary.get('socket_drops')}")
    for key in ("lost", "flows", "unjudged_flows", "unjudged", "evicted_flows", "unseen_start_flows", "implausible"):
        print(f"  {key}: {summary.get(key)}")
    print("  busiest flow:", json.dumps(summary["flow_accounts"][0]))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""User-space instructions per datagram of `mpps recv` under callgrind, two builds side by side.

The method of BENCHMARKS.md section h (Benchmarks/mppsbench/trials.py, `instructions`):
each receiver runs 6 s under `valgrind --tool=callgrind`, fed 100,000 and then
300,000 datagrams by `mpps send --rate 300k`; (Ir(2) - Ir(1)) / (read(2) - read(1))
is its cost per datagram read, start-up cancelled out. Here both payloads are measured:
all-zero (what section h feeds, no header to count) and mpps's default, a sequence
header in every datagram (the counting path: Tally, the flow table).

    Benchmarks/count-ab.py BEFORE/mpps AFTER/mpps     # builds to compare (release)
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port):
    with open("/proc/net/udp") as f:
        return any(line.split()[1].endswith(":%04X" % port) for line in f.readlines()[1:])


def one_run(binary, sender, count, pattern, scratch):
    port = free_port()
    out = os.path.join(scratch, f"callgrind.{os.getpid()}.{time.monotonic_ns()}")
    receiver = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "-q", binary, "recv",
                                 f"127.0.0.1:{port}", "--json", "--rcvbuf", "8M", "--duration", "6"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 20
    while not listening(port):
        if time.monotonic() > deadline:
            receiver.kill()
            raise RuntimeError("the receiver did not start under valgrind")
        time.sleep(0.05)
    subprocess.run([sender, "send", f"127.0.0.1:{port}", "--count", str(count), "--rate", "300k", "--quiet"]
                   + (["--payload-pattern", "zero"] if pattern == "zero" else []), check=True)
    text, _ = receiver.communicate(timeout=40)
    summary = [json.loads(line) for line in text.splitlines() if line.startswith("{")][-1]
    with open(out) as f:
        total = next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))
    os.remove(out)
    return total, summary["packets"]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    before, after = sys.argv[1:]
    scratch = tempfile.mkdtemp(prefix="mpps-count-ab-")
    copies = {}
    for label, binary in (("before", before), ("after", after)):
        # valgrind 3.19 cannot read the DWARF 5 that Swift emits: profile a copy without debug info.
        copies[label] = os.path.join(scratch, f"mpps-{label}")
        subprocess.run(["strip", "--strip-debug", "-o", copies[label], binary], check=True)
    print("| build | payload | read in run 1 | Ir run 1 | read in run 2 | Ir run 2 | instructions per datagram |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for pattern in ("zero", "sequence"):
        for label in ("before", "after"):
            (ir1, n1), (ir2, n2) = (one_run(copies[label], after, n, pattern, scratch) for n in (100_000, 300_000))
            print(f"| {label} | {pattern} | {n1:,} | {ir1:,} | {n2:,} | {ir2:,} | **{(ir2 - ir1) / (n2 - n1):.1f}** |", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""User-space instructions per datagram of `mpps recv`'s receive loop under callgrind, two builds side by side.

The method of BENCHMARKS.md section h (Benchmarks/mppsbench/trials.py, `instructions`):
each receiver runs under `valgrind --tool=callgrind`, fed 20,000 and then
60,000 datagrams by `mpps send --rate 10k`; (Ir(2) - Ir(1)) / (read(2) - read(1))
is its cost per datagram read, start-up cancelled out. Unlike section h the sender
is slow enough for a receiver under callgrind to read every datagram (the cost of
counting a header depends on the gaps a flow shows, so both builds must see the
same), and besides the whole program's instructions it counts those of the receive
loop's own functions (`callgrind_annotate`: ReceiveWorker, ReceiveBatch, Tally,
FlowTable, FlowCandidates, LatencyRecorder, SequenceHeader): at 10k datagrams a
second the monitor thread's work per second is a large, noisy share of the whole. Here both payloads are measured:
all-zero (what section h feeds, no header to count) and mpps's default, a sequence
header in every datagram (the counting path: Tally, the flow table).

    Benchmarks/count-ab.py BEFORE/mpps AFTER/mpps     # builds to compare (release)
"""

import json
import os
import re
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
                                 f"127.0.0.1:{port}", "--json", "--rcvbuf", "8M", "--duration", "12"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 20
    while not listening(port):
        if time.monotonic() > deadline:
            receiver.kill()
            raise RuntimeError("the receiver did not start under valgrind")
        time.sleep(0.05)
    subprocess.run([sender, "send", f"127.0.0.1:{port}", "--count", str(count), "--rate", "10k", "--quiet"]
                   + (["--payload-pattern", "zero"] if pattern == "zero" else []), check=True)
    text, _ = receiver.communicate(timeout=60)
    summary = [json.loads(line) for line in text.splitlines() if line.startswith("{")][-1]
    with open(out) as f:
        total = next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))
    annotated = subprocess.run(["callgrind_annotate", "--threshold=100", out], capture_output=True, text=True).stdout
    loop = 0
    for line in annotated.splitlines():
        match = re.match(r"\s*([\d,]+) .*\?\?\?:(\S+)", line)
        if match and LOOP.search(match.group(2)) and not SETUP.search(match.group(2)):
            loop += int(match.group(1).replace(",", ""))
    os.remove(out)
    return total, loop, summary["packets"]


# The receive loop's functions, as Swift mangles them; their set-up and summaries excluded.
LOOP = re.compile(r"ReceiveWorker|ReceiveBatch|5Tally|FlowTable|FlowCandidates|LatencyRecorder|SequenceHeader")
SETUP = re.compile(r"summaries|resultAA|CycfC|tcfC|capacity8slotSize")


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
    print("| build | payload | read in run 1 | read in run 2 | receive loop, instructions per datagram | whole program, instructions per datagram |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for pattern in ("zero", "sequence"):
        for label in ("before", "after"):
            (ir1, loop1, n1), (ir2, loop2, n2) = (one_run(copies[label], after, n, pattern, scratch) for n in (20_000, 60_000))
            print(f"| {label} | {pattern} | {n1:,} | {n2:,} | **{(loop2 - loop1) / (n2 - n1):.1f}** | {(ir2 - ir1) / (n2 - n1):.1f} |",
                  flush=True)

if __name__ == "__main__":
    main()

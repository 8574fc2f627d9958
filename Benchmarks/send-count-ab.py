#!/usr/bin/env python3
"""User-space instructions per datagram of `mpps send` under callgrind, two builds side by side:
the sending loop's counterpart of count-ab.py. Each sender runs under `valgrind --tool=callgrind`
twice, with --count 20000 and 100000, to a UDP socket on 127.0.0.1 that nobody reads (the
kernel drops what does not fit; the sender's work is the same); (Ir(2) - Ir(1)) / 80000 is
its cost per datagram sent, start-up cancelled out. Three payloads: a sequence header in
every datagram (the default), all-zero, and GSO 16. Two rounds each; the smaller counts.

    Benchmarks/send-count-ab.py BEFORE/mpps AFTER/mpps     # builds to compare (release)
"""
import os, socket, subprocess, sys, tempfile

def one(binary, count, extra, scratch):
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    port = sink.getsockname()[1]
    out = os.path.join(scratch, f"cg.{os.getpid()}.{count}.{len(extra)}.{abs(hash(binary))}")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "-q", binary, "send",
                    f"127.0.0.1:{port}", "--count", str(count), "--quiet", "--interval", "100"] + extra,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    sink.close()
    with open(out) as f:
        return next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))

def main():
    before, after = sys.argv[1], sys.argv[2]
    low, high = 20000, 100000
    with tempfile.TemporaryDirectory() as scratch:
        for name, extra in (("sequence header, batch 1024", []), ("zero payload", ["--payload-pattern", "zero"]),
                            ("GSO 16", ["--gso", "16"])):
            row = []
            for binary in (before, after):
                per = [(one(binary, high, extra, scratch) - one(binary, low, extra, scratch)) / (high - low) for _ in range(2)]
                row.append(per)
            b, a = min(row[0]), min(row[1])
            print(f"{name}: before {row[0]} after {row[1]} -> after/before {a / b:.4f}", flush=True)

main()

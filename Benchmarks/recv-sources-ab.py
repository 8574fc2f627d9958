#!/usr/bin/env python3
"""A/B of `mpps recv` (no GRO): CPU per datagram and datagrams/s of several builds (and the C loop),
alternating, each fed by the C sender with GSO 64 on CPU 0 (Benchmarks/out/send_baseline, built by run.sh);
BENCHMARKS.md section r.
usage: recv-sources-ab.py PAIRS SECONDS label=/path/to/mpps ... [C=/path/to/recv_baseline]"""
import json, os, resource, socket, subprocess, sys, time, statistics
pairs, secs = int(sys.argv[1]), float(sys.argv[2])
progs = [a.split("=", 1) for a in sys.argv[3:]]
SEND_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "send_baseline")
def port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def trial(label, path):
    p = port()
    load = subprocess.Popen([SEND_C, f"127.0.0.1:{p}", "--gso", "64", "--cpu", "0", "--duration", f"{secs+4:g}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.1)
    if label == "C":
        argv = [path, f"127.0.0.1:{p}", "--cpu", "1", "--rcvbuf", "8M", "--duration", f"{secs:g}"]
    else:
        argv = [path, "recv", f"127.0.0.1:{p}", "--cpus", "1", "--rcvbuf", "8M", "--json", "--duration", f"{secs:g}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(argv, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load.terminate(); load.wait()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    last = lines[-1]
    packets = int(last["packets"])
    return cpu * 1e9 / packets, packets / float(last["seconds"])
res = {l: [] for l, _ in progs}
for i in range(pairs):
    order = progs if i % 2 == 0 else list(reversed(progs))
    for l, p in order:
        ns, rate = trial(l, p); res[l].append((ns, rate))
        print(f"{i} {l}: {ns:.0f} ns/dgram {rate/1e6:.3f} M/s", flush=True)
for l in res:
    print(l, "median ns", statistics.median(x[0] for x in res[l]), "median M/s", statistics.median(x[1] for x in res[l]) / 1e6)

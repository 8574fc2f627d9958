#!/usr/bin/env python3
"""Runs the Speed comparisons of mpps against the C baselines and writes BENCHMARKS.md.

Called by Benchmarks/run.sh, which builds everything first (and normally puts this
process into a network namespace of its own, so /proc/net/snmp counts only our
traffic). Every program started here runs in a process group of its own, is bounded
by its own --duration (or by `timeout`), is killed if it outlives its deadline, and
is killed with its group on every way out of this script.

Comparisons (A = mpps, B = C baseline, alternated A B A B ..., or A B A1 A B A1 ... where a
variant A1 of mpps shows what one of its settings changes):
  a. receive, no GRO      b. receive with GRO        (load: send_baseline --gso 64 on CPU 0)
  c. send, no GSO         d. send with GSO 64        (sink: a bound socket that never reads)
  e. sockperf and iperf3 on the same pinning, for orientation.
  f. receive, no GRO      g. receive with GRO        (load: mpps send paced at a fixed rate the
                                                      receivers keep up with: CPU per datagram)
  h. user-space instructions per datagram of each receive loop, under callgrind
"""

import argparse
import ctypes
import datetime
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

LOAD_CPU = 0      # the sender / load generator
RECV_CPU = 1      # the receiver
RCVBUF = 4 << 20  # the same receive buffer for both receivers
PAYLOAD = 32
GSO = 64
PACED_RATE = {"f": "800k", "g": "8M"}  # offered loads both receivers keep up with here

# --------------------------------------------------------------------------------------
# Processes: each in its own session (process group), registered until reaped; all
# groups are killed on exit. PR_SET_PDEATHSIG also takes a child down if we die hard.

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_children = []
_pid_file = None


def _child_setup():
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _record_pids():
    if not _pid_file:
        return
    with open(_pid_file, "w") as f:
        for child in _children:
            f.write(f"{child.pid}\n")


class Child:
    """A program run in its own process group; `finish()` reaps it and keeps its rusage."""

    def __init__(self, argv, limit):
        self.argv = [str(a) for a in argv]
        self.out = tempfile.TemporaryFile()
        self.err = tempfile.TemporaryFile()
        self.started = time.monotonic()
        self.deadline = self.started + limit
        self.popen = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=self.out,
                                      stderr=self.err, start_new_session=True,
                                      preexec_fn=_child_setup)
        self.pid = self.popen.pid
        self.status = None
        self.rusage = None
        self.ended = None
        _children.append(self)
        _record_pids()

    def signal(self, sig):
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def poll(self):
        if self.status is not None:
            return True
        pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.status, self.rusage, self.ended = status, rusage, time.monotonic()
        self.popen.returncode = os.waitstatus_to_exitcode(status)
        return True

    def finish(self, grace=2.0):
        """Waits until the child exits; past its deadline (+grace) TERM, then KILL, its group."""
        if self not in _children:
            return self
        term_sent = False
        while not self.poll():
            now = time.monotonic()
            if now > self.deadline + grace and not term_sent:
                self.signal(signal.SIGTERM)
                term_sent = True
            elif term_sent and now > self.deadline + grace + 2:
                self.signal(signal.SIGKILL)
            time.sleep(0.005)
        self.signal(signal.SIGKILL)  # anything left in its group (e.g. under `timeout`)
        _children.remove(self)
        _record_pids()
        return self

    def stop(self):
        """Asks the child's group to end now (SIGTERM) and reaps it."""
        self.signal(signal.SIGTERM)
        self.deadline = min(self.deadline, time.monotonic())
        return self.finish(grace=1.0)

    @property
    def exit_code(self):
        return self.popen.returncode

    @property
    def cpu_seconds(self):
        return self.rusage.ru_utime + self.rusage.ru_stime

    def stdout(self):
        self.out.seek(0)
        return self.out.read().decode(errors="replace")

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode(errors="replace")


def kill_all():
    for child in list(_children):
        child.signal(signal.SIGTERM)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline and any(not c.poll() for c in _children):
        time.sleep(0.01)
    for child in list(_children):
        child.signal(signal.SIGKILL)
        try:
            os.waitpid(child.pid, 0)
        except ChildProcessError:
            pass
    _children.clear()
    _record_pids()


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------------------
# Kernel counters and small helpers.

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


def last_json(text, want_summary):
    """The program's final JSON object: mpps's `"type":"summary"` line, or the C program's line."""
    found = None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if not want_summary or obj.get("type") == "summary":
            found = obj
    if found is None:
        raise RuntimeError("no final JSON line in its output")
    return found


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=3):
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def shell(argv):
    return " ".join(a if a and all(c.isalnum() or c in "-_./:=,[]$" for c in a) else repr(a) for a in argv)


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


# --------------------------------------------------------------------------------------
# Trials.

class Bench:
    def __init__(self, args):
        self.args = args
        self.d = args.duration
        self.warm = min(0.5, 0.2 * self.d)  # send meters skip this much at each end
        self.dstr = f"{self.d:g}"
        self.mpps = os.path.join(args.mpps_bin, "mpps")
        self.recv_c = os.path.join(args.out, "recv_baseline")
        self.send_c = os.path.join(args.out, "send_baseline")

    # ---- commands (PORT filled in per trial) ----

    def load_cmd(self, port, rate=None):
        # Outlasts the receiver; stopped with SIGTERM as soon as the receiver has exited.
        if rate:
            # A paced load, all-zero payloads like the C sender's: the same offered rate for A and B.
            return [self.mpps, "send", f"127.0.0.1:{port}", "--gso", GSO, "--cpus", LOAD_CPU, "--rate", rate,
                    "--payload-pattern", "zero", "--duration", f"{self.d + 4:g}", "--quiet"]
        return [self.send_c, f"127.0.0.1:{port}", "--gso", GSO, "--cpu", LOAD_CPU,
                "--duration", f"{self.d + 4:g}"]

    # Each returns the programs of one comparison as (label, argv): "mpps" (A) and "C" (B),
    # then any variants of mpps, each also compared with C.

    def recv_cmds(self, port, gro, variants=False):
        mpps = [self.mpps, "recv", f"127.0.0.1:{port}", "--cpus", RECV_CPU, "--rcvbuf", RCVBUF,
                "--json", "--duration", self.dstr] + (["--gro"] if gro else [])
        c = [self.recv_c, f"127.0.0.1:{port}", "--cpu", RECV_CPU, "--rcvbuf", RCVBUF,
             "--duration", self.dstr] + (["--gro"] if gro else [])
        programs = [("mpps", mpps), ("C", c)]
        if variants and gro:
            # mpps's GRO default waits 50 us after a call that emptied the socket; the C loop
            # blocks again at once. This variant waits the way the C loop does.
            programs.append(("mpps --rx-usecs 0", mpps + ["--rx-usecs", "0"]))
        return programs

    def send_cmds(self, port, gso, variants=False):
        # All-zero payloads, as the C loop sends: the same bytes and the same work per datagram.
        mpps = [self.mpps, "send", f"127.0.0.1:{port}", "--cpus", LOAD_CPU, "--payload", PAYLOAD,
                "--duration", self.dstr, "--json"] + (["--gso", gso] if gso else [])
        c = [self.send_c, f"127.0.0.1:{port}", "--cpu", LOAD_CPU, "--payload", PAYLOAD,
             "--duration", self.dstr] + (["--gso", gso] if gso else [])
        programs = [("mpps", mpps + ["--payload-pattern", "zero"]), ("C", c)]
        if variants:
            # mpps's default: a sequence header written into every datagram.
            programs.append(("mpps sequence", mpps))
        return programs

    # ---- receive: load generator first, so the receiver's whole run is under load ----

    def recv_trial(self, argv, is_mpps, port, rate=None):
        load = Child(self.load_cmd(port, rate), self.d + 6)
        row = {"argv": argv, "load": load.argv, "paced": rate}
        try:
            time.sleep(0.1)
            before = snmp_udp()
            receiver = Child(argv, self.d + 5).finish()
            after = snmp_udp()
        finally:
            load.stop()
        row["exit"] = receiver.exit_code
        try:
            if receiver.exit_code != 0:
                raise RuntimeError(f"exit {receiver.exit_code}: {receiver.stderr().strip()[-300:]}")
            result = last_json(receiver.stdout(), want_summary=is_mpps)
            packets, seconds = int(result["packets"]), float(result["seconds"])
            row.update(packets=packets, seconds=seconds, rate=packets / seconds,
                       cpu=receiver.cpu_seconds, util=receiver.cpu_seconds / seconds,
                       ns=receiver.cpu_seconds * 1e9 / packets if packets else None,
                       drops=after["RcvbufErrors"] - before["RcvbufErrors"])
            row["drop_share"] = row["drops"] / (packets + row["drops"]) if packets + row["drops"] else None
        except (RuntimeError, ValueError, KeyError) as error:
            row["error"] = str(error)
        return row

    # ---- send: a sink bound on the port that never reads; kernel counters over the middle ----

    def send_trial(self, argv, is_mpps, port):
        sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        row = {"argv": argv}
        try:
            sink.bind(("127.0.0.1", port))
            sender = Child(argv, self.d + 5)
            sleep_until(sender.started + self.warm)
            s0, t0 = snmp_udp(), time.monotonic()
            sleep_until(sender.started + self.d - self.warm)
            s1, t1 = snmp_udp(), time.monotonic()
            sender.finish()
        finally:
            sink.close()
        window = t1 - t0
        row["exit"] = sender.exit_code
        row["out_rate"] = (s1["OutDatagrams"] - s0["OutDatagrams"]) / window
        row["sink_rate"] = ((s1["InDatagrams"] + s1["InErrors"]) - (s0["InDatagrams"] + s0["InErrors"])) / window
        row["window"] = window
        try:
            if sender.exit_code != 0:
                raise RuntimeError(f"exit {sender.exit_code}: {sender.stderr().strip()[-300:]}")
            result = last_json(sender.stdout(), want_summary=is_mpps)
            packets, seconds = int(result["packets"]), float(result["seconds"])
            row.update(packets=packets, seconds=seconds, self_rate=packets / seconds,
                       refused=int(result.get("refused", 0)), cpu=sender.cpu_seconds,
                       util=sender.cpu_seconds / seconds,
                       ns=sender.cpu_seconds * 1e9 / packets if packets else None)
        except (RuntimeError, ValueError, KeyError) as error:
            row["error"] = str(error)
        return row

    # ---- e: sockperf and iperf3 ----

    def sockperf_trial(self):
        port = free_port()
        server = Child(["taskset", "-c", RECV_CPU, "timeout", fmt(self.d + 8, 0),
                        "sockperf", "sr", "-i", "127.0.0.1", "-p", port], self.d + 9)
        row = {}
        try:
            wait_listening(port, "udp", server)
            client = Child(["taskset", "-c", LOAD_CPU, "sockperf", "tp", "-i", "127.0.0.1", "-p", port,
                            "-m", PAYLOAD, "-t", f"{max(round(self.d), 1)}"], self.d + 10)
            began = wait_for_traffic(client, 8.0)
            sleep_until(began + self.warm)
            s0, t0 = snmp_udp(), time.monotonic()
            sleep_until(began + self.d - self.warm)
            s1, t1 = snmp_udp(), time.monotonic()
            client.finish()
        finally:
            server.stop()
        window = t1 - t0
        row["delivered"] = (s1["InDatagrams"] - s0["InDatagrams"]) / window
        row["dropped"] = (s1["InErrors"] - s0["InErrors"]) / window
        row["sent_reported"] = None
        for line in client.stdout().splitlines() + client.stderr().splitlines():
            if "Message Rate is" in line:
                row["sent_reported"] = float(line.split("Message Rate is")[1].split()[0])
        row["server_cpu"] = server.cpu_seconds
        return row

    def iperf3_trial(self):
        port = free_port()
        server = Child(["taskset", "-c", RECV_CPU, "timeout", fmt(self.d + 8, 0),
                        "iperf3", "-s", "-1", "-p", port], self.d + 9)
        row = {}
        try:
            wait_listening(port, "tcp", server)
            client = Child(["taskset", "-c", LOAD_CPU, "iperf3", "-c", "127.0.0.1", "-p", port, "-u",
                            "-l", PAYLOAD, "-b", "0", "-t", f"{max(round(self.d), 1)}", "-J"], self.d + 8)
            client.finish()
            server.deadline = min(server.deadline, time.monotonic() + 1.0)  # -1: it ends after the test
            server.finish(grace=0.5)
        finally:
            if not server.poll():
                server.stop()
        try:
            end = json.loads(client.stdout())["end"]
            sent, received = end["sum_sent"], end["sum_received"]
            row["sent_reported"] = sent["packets"] / sent["seconds"]
            row["delivered"] = (received["packets"] - received["lost_packets"]) / received["seconds"]
            row["lost_percent"] = received["lost_percent"]
        except (ValueError, KeyError, ZeroDivisionError) as error:
            row["error"] = f"iperf3 output: {error}: {client.stderr().strip()[-300:]}"
        return row

    # ---- instructions per datagram: callgrind counts user-space instructions, repeatably ----

    def instructions(self):
        """Each receive loop under callgrind, fed N1 then N2 datagrams by a paced sender:
        (Ir(N2) - Ir(N1)) / (N2 - N1) is its user-space cost per datagram, start-up excluded."""
        if not command_output(["sh", "-c", "command -v valgrind"]).strip():
            return "valgrind is not installed"
        # valgrind 3.19 cannot read the DWARF 5 that Swift emits: profile a copy without debug info.
        mpps = os.path.join(self.args.out, "mpps-nodebug")
        subprocess.run(["strip", "--strip-debug", "-o", mpps, self.mpps], check=True)
        counts = (100_000, 300_000)
        rows = []
        for label, base in (("mpps", [mpps, "recv", "--json", "--rcvbuf", str(2 * RCVBUF), "--duration", "6"]),
                            ("C", [self.recv_c, "--rcvbuf", str(2 * RCVBUF), "--duration", "6"])):
            irs = []
            for n in counts:
                port = free_port()
                address = f"127.0.0.1:{port}"
                argv = base[:1] + (["recv", address] + base[2:] if label == "mpps" else [address] + base[1:])
                out = os.path.join(self.args.out, f"callgrind.{label}.{n}")
                receiver = Child(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", "-q"] + argv, 20)
                try:
                    wait_listening(port, "udp", receiver, timeout=10)
                except RuntimeError as error:
                    receiver.stop()
                    return f"{label} did not start under valgrind: {error}"
                sender = Child([self.mpps, "send", address, "--count", str(n), "--rate", "300k",
                                "--payload-pattern", "zero", "--quiet"], 15)
                sender.finish()
                receiver.finish(grace=20)
                with open(out) as f:
                    total = next(int(line.split()[1]) for line in f if line.startswith(("summary:", "totals:")))
                # Under callgrind a receiver is slower than the sender and drops some: count what it read.
                received = int(last_json(receiver.stdout(), want_summary=label == "mpps")["packets"])
                irs.append((total, received))
                print(f"  h {label:4} sent {n}, received {received}: Ir={total}", flush=True)
            (ir1, n1), (ir2, n2) = irs
            rows.append({"program": label, "argv": argv, "counts": (n1, n2), "ir": (ir1, ir2),
                         "per_datagram": (ir2 - ir1) / (n2 - n1)})
        return rows

    # ---- alternation ----

    def compare(self, name, trial, cmds):
        """Runs A (mpps), B (C) and any variants in turn, `pairs` times; returns the rows."""
        rows = []
        for i in range(self.args.pairs):
            for index in range(len(cmds(0))):
                port = free_port()
                label, argv = cmds(port)[index]
                row = trial(argv, label.startswith("mpps"), port)
                row.update(trial=i + 1, program=label, port=port)
                rows.append(row)
                print(f"  {name} #{i + 1} {label}: " + (
                    f"ERROR {row['error']}" if "error" in row else
                    "  ".join(f"{k}={fmt(row[k] / 1e6 if k in ('rate', 'self_rate', 'out_rate', 'sink_rate') else row[k])}"
                              for k in ("rate", "self_rate", "out_rate", "sink_rate", "ns") if k in row)),
                    flush=True)
        return rows


# --------------------------------------------------------------------------------------
# Report.

def pair_medians(rows, key, program="mpps"):
    """The median of `program` (mpps or one of its variants), of C, and their ratio."""
    m = median([r.get(key) for r in rows if r["program"] == program and "error" not in r])
    c = median([r.get(key) for r in rows if r["program"] == "C" and "error" not in r])
    return m, c, (m / c if m is not None and c else None)


def pair_ratios(rows, key, program="mpps"):
    """`program`'s figure over C's, trial by trial (each pair ran back to back), as text:
    how far the single pairs scatter around the ratio of the medians."""
    ratios = []
    for r in rows:
        if r["program"] != program or "error" in r or not r.get(key):
            continue
        c = next((x for x in rows if x["program"] == "C" and x["trial"] == r["trial"] and "error" not in x), None)
        if c and c.get(key):
            ratios.append(r[key] / c[key])
    if not ratios:
        return "–"
    above = sum(1 for x in ratios if x >= 1)
    return (" ".join(f"{x:.3f}" for x in ratios) +
            f" ({above} of {len(ratios)} at or above 1; from {min(ratios):.3f} to {max(ratios):.3f})")


def pair_ratio_lines(rows, key):
    """A paragraph: each program's per-pair rate ratios to C."""
    lines = [f"Rate ratio of each pair (the trials ran back to back), mpps/C: {pair_ratios(rows, key)}."]
    for v in variants(rows):
        lines.append(f"{v}/C: {pair_ratios(rows, key, v)}.")
    return [" ".join(lines), ""]


def variants(rows):
    """The labels of the mpps variants among the rows, in order of appearance."""
    labels = []
    for r in rows:
        if r["program"] not in ("mpps", "C") and r["program"] not in labels:
            labels.append(r["program"])
    return labels


def program_lines(rows):
    """`A: …`, `B: …`, then `A1: …` for each variant: each program's command, with $PORT."""
    lines = []
    for tag, label in [("A", "mpps"), ("B", "C")] + [(f"A{i + 1}", v) for i, v in enumerate(variants(rows))]:
        row = next(r for r in rows if r["program"] == label)
        lines.append(f"{tag}: {template(row['argv'], row['port'])}")
    return lines


def template(argv, port):
    """The command with this trial's port written as $PORT."""
    addr = f"127.0.0.1:{port}"
    return shell([a.replace(addr, "127.0.0.1:$PORT") if addr in a else ("$PORT" if a == str(port) else a)
                  for a in map(str, argv)])


def write_report(path, bench, results, notes, env):
    d = bench.d
    lines = []
    w = lines.append
    w("# mpps benchmarks")
    w("")
    w("Written by `Benchmarks/run.sh` (do not edit by hand; rerun it). "
      "`BENCH_QUICK=1` runs are smoke tests, not results." if not env["quick"] else
      "**Smoke run (`BENCH_QUICK=1`, 1 s trials): figures for checking the harness, not results.**")
    w("")
    w("| | |")
    w("| --- | --- |")
    for key, value in env["facts"]:
        w(f"| {key} | {value} |")
    w("")
    w("Each comparison alternates A = mpps and B = the C baseline "
      f"({bench.args.pairs} times each, A B A B …) with {fmt(d, 1)} s per trial; the tables give every trial, "
      "the medians and the ratio of the medians, mpps/C. Where a comparison also runs a variant of mpps "
      "(A1: another setting, to show what it changes), it takes its turn after B (A B A1 A B A1 …) and "
      "has its own ratio to the same C trials. For rates a ratio above 1 favours mpps; "
      "for CPU time per datagram a ratio below 1 does. "
      f"The sender or load generator runs on CPU {LOAD_CPU}, the receiver on CPU {RECV_CPU}. "
      "On loopback the kernel delivers each datagram in the sender's context, so the receiver's CPU time "
      "is what its own loop costs (the system calls and copying out), nothing of the delivery.")
    w("")
    notes_at = len(lines)  # filled in once the sections are built

    summary = []
    others = []
    sections = []

    def recv_section(key, title, rows):
        s = []
        s.append(f"## {title}")
        s.append("")
        if rows[0].get("paced"):
            s.append(f"Load (identical for A and B): mpps's sender paced at {rows[0]['paced']} datagrams/s with GSO "
                     "and all-zero payloads, a rate both receivers keep up with, started 0.1 s before the receiver. "
                     "With the same offered load, the same datagrams arrive in batches of much the same size, "
                     "and **CPU per datagram** compares the two loops directly:")
        else:
            s.append("Load (identical for A and B): the C sender with GSO, started 0.1 s before the receiver and "
                     "stopped once it has exited, so the receiver is overloaded for its whole run:")
        s.append("")
        s.append("```")
        s.append(template(rows[0]["load"], rows[0]["port"]))
        s.extend(program_lines(rows))
        s.append("```")
        s.append("")
        s.append("Meters: datagrams/s = the receiver's own final JSON (`packets` / `seconds`); CPU = the receiver "
                 "process's user + system time from `wait4()`'s rusage, divided by its datagrams (so it includes "
                 "its start-up and, for mpps, its reporting thread); drops = the kernel's `RcvbufErrors` from just "
                 "before the receiver started to just after it ended (so they include datagrams that filled its "
                 "buffer between its `bind` and its first read; with GRO the kernel's count need not be one per datagram).")
        s.append("")
        s.append("How to read it: a receiver that keeps up (few drops, CPU use under 100%) is paced by the sender, "
                 "which on loopback also pays for the delivery; its rate then says only that it kept up, and "
                 "**CPU per datagram** is the figure that compares the two loops. Only a receiver at ~100% CPU "
                 "with steady drops shows its own ceiling in the rate column.")
        s.append("")
        s.append("| trial | program | datagrams | seconds | M datagrams/s | CPU s | CPU use | ns CPU / datagram | drops | drops % |")
        s.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            if "error" in r:
                s.append(f"| {r['trial']} | {r['program']} | error: {r['error']} | | | | | | | |")
                continue
            s.append(f"| {r['trial']} | {r['program']} | {fmt(r['packets'])} | {fmt(r['seconds'])} | "
                     f"{fmt(r['rate'] / 1e6)} | {fmt(r['cpu'])} | {fmt(r['util'] * 100, 0)}% | {fmt(r['ns'], 0)} | "
                     f"{fmt(r['drops'])} | {fmt(r['drop_share'] * 100 if r['drop_share'] is not None else None, 2)} |")
        rm, rc, rr = pair_medians(rows, "rate")
        nm, nc, nr = pair_medians(rows, "ns")
        s.append(f"| median | mpps | | | **{fmt(rm / 1e6 if rm else None)}** | | | **{fmt(nm, 0)}** | | |")
        s.append(f"| median | C | | | **{fmt(rc / 1e6 if rc else None)}** | | | **{fmt(nc, 0)}** | | |")
        s.append(f"| ratio | mpps/C | | | **{fmt(rr)}** | | | **{fmt(nr)}** | | |")
        summary.append((title, "M datagrams/s received", rm and rm / 1e6, rc and rc / 1e6, rr))
        summary.append((title, "ns CPU per datagram (receiver)", nm, nc, nr))
        for v in variants(rows):
            vm, _, vr = pair_medians(rows, "rate", v)
            wm, _, wr = pair_medians(rows, "ns", v)
            s.append(f"| median | {v} | | | {fmt(vm / 1e6 if vm else None)} | | | {fmt(wm, 0)} | | |")
            s.append(f"| ratio | {v} / C | | | {fmt(vr)} | | | {fmt(wr)} | | |")
            summary.append((f"{title}: `{v}`", "M datagrams/s received", vm and vm / 1e6, rc and rc / 1e6, vr))
            summary.append((f"{title}: `{v}`", "ns CPU per datagram (receiver)", wm, nc, wr))
        s.append("")
        s.extend(pair_ratio_lines(rows, "rate"))
        return s

    def send_section(key, title, rows, gso):
        s = []
        s.append(f"## {title}")
        s.append("")
        s.append("A sink socket bound on the target port that never reads (so every datagram is delivered to "
                 "it or dropped at its full buffer, and no ICMP is generated):")
        s.append("")
        s.append("```")
        s.extend(program_lines(rows))
        s.append("```")
        s.append("")
        if gso:
            s.append("Meter (primary, the same for both): the kernel's count of segments reaching the non-GRO sink, "
                     "`Udp: InDatagrams + InErrors` of /proc/net/snmp, over the middle of the run "
                     f"(from {fmt(bench.warm, 1)} s after start to {fmt(bench.warm, 1)} s before the end). "
                     "`OutDatagrams` counts one per GSO message, not per datagram, so it is shown only for "
                     "reference. Cross-check: each program's own count of accepted datagrams (segments) / seconds.")
        else:
            s.append("Meter (primary, the same for both): the delta of `Udp: OutDatagrams` in /proc/net/snmp over the "
                     f"middle of the run (from {fmt(bench.warm, 1)} s after start to {fmt(bench.warm, 1)} s before "
                     "the end) divided by that time. Cross-checks: the sink's `InDatagrams + InErrors` over the same "
                     "window, and each program's own count / seconds.")
        s.append("CPU = the sender's user + system time (rusage) divided by its own count of datagrams.")
        s.append("")
        primary = "sink_rate" if gso else "out_rate"
        s.append("| trial | program | **M/s (primary)** | OutDatagrams M/s | sink M/s | self-reported M/s | CPU use | ns CPU / datagram | refused |")
        s.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            if "error" in r:
                s.append(f"| {r['trial']} | {r['program']} | error: {r['error']} | | | | | | |")
                continue
            s.append(f"| {r['trial']} | {r['program']} | **{fmt(r[primary] / 1e6)}** | {fmt(r['out_rate'] / 1e6)} | "
                     f"{fmt(r['sink_rate'] / 1e6)} | {fmt(r['self_rate'] / 1e6)} | {fmt(r['util'] * 100, 0)}% | "
                     f"{fmt(r['ns'], 0)} | {fmt(r['refused'])} |")
        pm, pc, pr = pair_medians(rows, primary)
        sm, sc, sr = pair_medians(rows, "self_rate")
        nm, nc, nr = pair_medians(rows, "ns")
        s.append(f"| median | mpps | **{fmt(pm / 1e6 if pm else None)}** | | | {fmt(sm / 1e6 if sm else None)} | | **{fmt(nm, 0)}** | |")
        s.append(f"| median | C | **{fmt(pc / 1e6 if pc else None)}** | | | {fmt(sc / 1e6 if sc else None)} | | **{fmt(nc, 0)}** | |")
        s.append(f"| ratio | mpps/C | **{fmt(pr)}** | | | {fmt(sr)} | | **{fmt(nr)}** | |")
        meter = "M datagrams/s sent (" + ("sink InDatagrams+InErrors" if gso else "OutDatagrams") + ")"
        summary.append((title, meter, pm and pm / 1e6, pc and pc / 1e6, pr))
        summary.append((title, "ns CPU per datagram (sender)", nm, nc, nr))
        for v in variants(rows):
            vm, _, vr = pair_medians(rows, primary, v)
            wm, _, wr = pair_medians(rows, "ns", v)
            s.append(f"| median | {v} | {fmt(vm / 1e6 if vm else None)} | | | | | {fmt(wm, 0)} | |")
            s.append(f"| ratio | {v} / C | {fmt(vr)} | | | | | {fmt(wr)} | |")
            summary.append((f"{title}: `{v}`", meter, vm and vm / 1e6, pc and pc / 1e6, vr))
            summary.append((f"{title}: `{v}`", "ns CPU per datagram (sender)", wm, nc, wr))
        s.append("")
        s.extend(pair_ratio_lines(rows, primary))
        return s

    for key, title in (("a", "a. Receive, 32-byte datagrams, no GRO"),
                       ("b", "b. Receive with UDP_GRO, 32-byte datagrams"),
                       ("c", "c. Send, 32-byte datagrams, no GSO"),
                       ("d", f"d. Send with GSO {GSO}, 32-byte datagrams"),
                       ("f", f"f. Receive at a fixed {PACED_RATE['f']} datagrams/s, no GRO"),
                       ("g", f"g. Receive at a fixed {PACED_RATE['g']} datagrams/s, with UDP_GRO")):
        rows = results.get(key)
        if isinstance(rows, str):
            sections.append([f"## {title}", "", f"Skipped: {rows}", ""])
            notes.append(f"{title}: skipped, {rows}")
            summary.append((title, "skipped", None, None, None))
        elif rows:
            failed = sum(1 for r in rows if "error" in r)
            if failed:
                notes.append(f"{title}: {failed} of {len(rows)} trials failed (see its table); medians are over the rest.")
            sections.append(recv_section(key, title, rows) if key in "abfg" else send_section(key, title, rows, key == "d"))

    h = results.get("h")
    if isinstance(h, list):
        s = ["## h. User-space instructions per datagram (callgrind)", ""]
        s.append("Each receiver runs for 6 s under `valgrind --tool=callgrind`, twice: fed 100,000 and then "
                 "300,000 all-zero datagrams by `mpps send --rate 300k`, faster than a receiver under callgrind "
                 "reads, so its batches are full. The difference in instructions over the difference in "
                 "datagrams it read is its user-space cost per datagram, with start-up and the reporting "
                 "thread's per-second work cancelled out. Instruction counts do not depend on the clock; "
                 "the kernel's share (the system calls, the copies) is not counted, and is the same for both.")
        s.append("")
        s.append("| program | read in run 1 | Ir run 1 | read in run 2 | Ir run 2 | instructions per datagram |")
        s.append("| --- | ---: | ---: | ---: | ---: | ---: |")
        for r in h:
            s.append(f"| {r['program']} | {fmt(r['counts'][0])} | {fmt(r['ir'][0])} | {fmt(r['counts'][1])} | "
                     f"{fmt(r['ir'][1])} | **{fmt(r['per_datagram'], 1)}** |")
        s.append("")
        sections.append(s)
        summary.append(("h. Receive loop, user space", "instructions per datagram (callgrind)",
                        h[0]["per_datagram"], h[1]["per_datagram"], h[0]["per_datagram"] / h[1]["per_datagram"]))
    elif isinstance(h, str):
        sections.append(["## h. User-space instructions per datagram", "", f"Skipped: {h}", ""])

    e = results.get("e")
    if e:
        s = ["## e. Other tools on the same pinning, for orientation", ""]
        s.append(f"Server on CPU {RECV_CPU}, client on CPU {LOAD_CPU}, 32-byte UDP payloads, "
                 "as fast as each goes. sockperf's client sends one `sendto` per datagram and its server reads with "
                 "`recvfrom`; iperf3 likewise one datagram per call (and puts a sequence number in each).")
        s.append("")
        s.append("```")
        for cmd in e["commands"]:
            s.append(cmd)
        s.append("```")
        s.append("")
        s.append("Meters: sockperf, the client's reported message rate, and delivered = `Udp: InDatagrams` "
                 "(read by the server) over the middle of the run; iperf3, its own JSON (`sum_sent`; delivered = "
                 "`sum_received` packets less lost, per second).")
        s.append("")
        s.append("| trial | tool | sent M/s (own report) | delivered M/s | dropped M/s or lost % |")
        s.append("| --- | --- | ---: | ---: | ---: |")
        for tool in ("sockperf", "iperf3"):
            for r in e[tool]:
                if "error" in r:
                    s.append(f"| {r['trial']} | {tool} | error: {r['error']} | | |")
                    continue
                extra = (fmt(r['dropped'] / 1e6) if tool == "sockperf" else f"{fmt(r.get('lost_percent'), 1)}%")
                s.append(f"| {r['trial']} | {tool} | {fmt(r['sent_reported'] / 1e6 if r.get('sent_reported') else None)} | "
                         f"{fmt(r['delivered'] / 1e6)} | {extra} |")
            ms = median([r.get("sent_reported") for r in e[tool] if "error" not in r])
            md = median([r.get("delivered") for r in e[tool] if "error" not in r])
            s.append(f"| median | {tool} | **{fmt(ms / 1e6 if ms else None)}** | **{fmt(md / 1e6 if md else None)}** | |")
            others.append((tool, ms and ms / 1e6, md and md / 1e6))
        s.append("")
        sections.append(s)
    elif isinstance(results.get("e_skipped"), str):
        sections.append(["## e. Other tools", "", f"Skipped: {results['e_skipped']}", ""])

    if notes:
        lines[notes_at:notes_at] = ["Notes from this run:", ""] + [f"- {n}" for n in notes] + [""]
    w("## Summary")
    w("")
    w("| comparison | metric | mpps (median) | C (median) | mpps/C |")
    w("| --- | --- | ---: | ---: | ---: |")
    for title, metric, m, c, r in summary:
        digits = 0 if metric.startswith("ns") else 3
        w(f"| {title} | {metric} | {fmt(m, digits)} | {fmt(c, digits)} | {fmt(r)} |")
    w("")
    if others:
        w("| other tools (e) | M datagrams/s sent (own report, median) | M datagrams/s delivered (median) |")
        w("| --- | ---: | ---: |")
        for tool, sent, delivered in others:
            w(f"| {tool} | {fmt(sent)} | {fmt(delivered)} |")
        w("")
    for s in sections:
        lines.extend(s)
    findings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "FINDINGS.md")
    if os.path.exists(findings):
        # Written by hand: what profiling found and what each change bought, kept with the figures.
        with open(findings) as f:
            lines.extend(["", f.read().strip(), ""])
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


# --------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mpps-bin", required=True, help="directory holding the built mpps")
    parser.add_argument("--out", required=True, help="directory holding recv_baseline and send_baseline")
    parser.add_argument("--report", required=True, help="where to write BENCHMARKS.md")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per trial")
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs per comparison (at least 3)")
    parser.add_argument("--quick", action="store_true", help="mark the report as a smoke run")
    parser.add_argument("--only", default="abcdefgh", help="comparisons to run, e.g. ac")
    parser.add_argument("--netns", default="", help="a note on the network namespace used")
    parser.add_argument("--repo", default=".", help="the mpps checkout (for its commit)")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: write the report again from OUT/results.json (after editing FINDINGS.md)")
    args = parser.parse_args()

    if args.render_only:
        with open(os.path.join(args.out, "results.json")) as f:
            saved = json.load(f)
        args.duration, args.pairs = saved.get("duration", args.duration), saved.get("pairs", args.pairs)
        write_report(args.report, Bench(args), saved["results"], [],
                     {"quick": saved.get("quick", args.quick), "facts": saved["facts"]})
        print(f"wrote {args.report} from {os.path.join(args.out, 'results.json')}")
        return

    global _pid_file
    _pid_file = os.path.join(args.out, "bench.pids")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)

    bench = Bench(args)
    started = time.monotonic()
    notes = []
    results = {}
    try:
        help_send = command_output([bench.mpps, "send", "--help"])
        help_recv = command_output([bench.mpps, "recv", "--help"])
        has_gso = "--gso" in help_send
        has_gro = "--gro" in help_recv

        if "a" in args.only:
            print("a. receive, no GRO", flush=True)
            results["a"] = bench.compare("a", bench.recv_trial, lambda p: bench.recv_cmds(p, False))
        if "b" in args.only:
            if has_gro:
                print("b. receive, GRO", flush=True)
                results["b"] = bench.compare("b", bench.recv_trial, lambda p: bench.recv_cmds(p, True, variants=True))
            else:
                results["b"] = "`mpps recv --help` does not list `--gro` yet."
                print("b. skipped: " + results["b"], flush=True)
        if "c" in args.only:
            print("c. send, no GSO", flush=True)
            results["c"] = bench.compare("c", bench.send_trial, lambda p: bench.send_cmds(p, 0, variants=True))
        if "d" in args.only:
            if has_gso:
                print(f"d. send, GSO {GSO}", flush=True)
                results["d"] = bench.compare("d", bench.send_trial, lambda p: bench.send_cmds(p, GSO, variants=True))
            else:
                results["d"] = "`mpps send --help` does not list `--gso` yet."
                print("d. skipped: " + results["d"], flush=True)
        for key, gro in (("f", False), ("g", True)):
            if key in args.only:
                print(f"{key}. receive at {PACED_RATE[key]}/s" + (", GRO" if gro else ""), flush=True)
                results[key] = bench.compare(key, lambda argv, is_mpps, port, rate=PACED_RATE[key]:
                                             bench.recv_trial(argv, is_mpps, port, rate),
                                             lambda p, gro=gro: bench.recv_cmds(p, gro))
        if "h" in args.only:
            print("h. instructions per datagram (callgrind)", flush=True)
            results["h"] = bench.instructions()
        if "e" in args.only:
            missing = [t for t in ("sockperf", "iperf3") if not command_output(["sh", "-c", f"command -v {t}"]).strip()]
            if missing:
                results["e_skipped"] = f"not installed: {', '.join(missing)}"
            else:
                print("e. sockperf, iperf3", flush=True)
                e = {"sockperf": [], "iperf3": [], "commands": [
                    f"taskset -c {RECV_CPU} sockperf sr -i 127.0.0.1 -p $PORT",
                    f"taskset -c {LOAD_CPU} sockperf tp -i 127.0.0.1 -p $PORT -m {PAYLOAD} -t {max(round(bench.d), 1)}",
                    f"taskset -c {RECV_CPU} iperf3 -s -1 -p $PORT",
                    f"taskset -c {LOAD_CPU} iperf3 -c 127.0.0.1 -p $PORT -u -l {PAYLOAD} -b 0 -t {max(round(bench.d), 1)} -J"]}
                for i in range(args.pairs):
                    for tool, trial in (("sockperf", bench.sockperf_trial), ("iperf3", bench.iperf3_trial)):
                        try:
                            row = trial()
                        except RuntimeError as error:
                            row = {"error": str(error)}
                        row["trial"] = i + 1
                        e[tool].append(row)
                        print(f"  e #{i + 1} {tool}: " + (f"ERROR {row['error']}" if "error" in row else
                              f"sent={fmt((row.get('sent_reported') or 0) / 1e6)} delivered={fmt(row['delivered'] / 1e6)}"),
                              flush=True)
                results["e"] = e
    finally:
        kill_all()

    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    cpu_model = "?"
    for line in command_output(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            cpu_model = line.split(":", 1)[1].strip()
    commit = command_output(["git", "-C", args.repo, "rev-parse", "--short", "HEAD"]).strip() or "?"
    dirty = command_output(["git", "-C", args.repo, "status", "--porcelain", "--", "Sources", "Package.swift"]).strip()
    facts = [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{cpu_model}, {os.cpu_count()} CPUs"),
        ("kernel", platform.release()),
        ("mpps", f"{commit}" + (" with uncommitted changes in Sources/" if dirty else "") + f" (`{bench.mpps}`)"),
        ("C baselines", "`gcc -O2` — " + command_output(["gcc", "--version"]).splitlines()[0] if command_output(["gcc", "--version"]) else "gcc ?"),
        ("network", args.netns or "the host's network namespace (other UDP traffic on the host can disturb /proc/net/snmp meters)"),
        ("trials", f"{fmt(bench.d, 1)} s each, {args.pairs} A/B pairs per comparison"),
        ("load average after the run", load_after + " (anything well above the benchmark's own ~2 means other work shared the CPUs)"),
        ("run time", f"{time.monotonic() - started:.0f} s"),
    ]
    env = {"quick": args.quick, "facts": facts}
    write_report(args.report, bench, results, notes, env)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"facts": facts, "results": results, "duration": bench.d,
                   "pairs": args.pairs, "quick": args.quick}, f, indent=1, default=str)
    print(f"wrote {args.report}")


if __name__ == "__main__":
    main()

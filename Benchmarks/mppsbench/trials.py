"""Running the trials: each program's command line, one trial of a receiver, a sender,
sockperf, iperf3 or a receive loop under callgrind, and the A/B alternation of a comparison.

Every trial returns a row (a dict of its figures, or its "error"), as stored in results.json.
"""

import json
import os
import socket
import subprocess
import time

from .children import Child, command_output
from .probes import free_port, sleep_until, snmp_udp, wait_for_traffic, wait_listening
from .settings import GSO, LOAD_CPU, PAYLOAD, RCVBUF, RECV_CPU
from .stats import fmt


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


class Bench:
    """The trials of one run, with its duration, pairs and the paths of the programs compared."""

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

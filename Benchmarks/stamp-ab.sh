#!/usr/bin/env bash
# The stamped sender against the blank one: `mpps send --gso 64` with its default
# sequence headers (A) and with `--payload-pattern zero` (B), alternated A B A B,
# each into the C GRO sink (Benchmarks/out/recv_baseline --gro, built by run.sh)
# on CPU 1, the sender on CPU 0, 127.0.0.1 only. Prints datagrams/s per trial as
# the sender counted them (what the kernel accepted) and what the sink received.
#
#   Benchmarks/stamp-ab.sh [MPPS] [PAIRS] [SECONDS]   # default .build/release/mpps 4 3
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mpps=${1:-$root/.build/release/mpps}
pairs=${2:-4}
seconds=${3:-3}
sink=$root/Benchmarks/out/recv_baseline
[ -x "$sink" ] || { echo "stamp-ab.sh: $sink is not built: run Benchmarks/run.sh once (BENCH_QUICK=1 will do)" >&2; exit 66; }
port=47311
out=$(mktemp -d)
trap 'rm -rf "$out"; kill $(jobs -p) 2>/dev/null || true' EXIT

trial() {  # PATTERN
    "$sink" "127.0.0.1:$port" --gro --cpu 1 --duration $((seconds + 1)) >"$out/sink" &
    local sink_pid=$!
    sleep 0.3
    "$mpps" send "127.0.0.1:$port" --gso 64 --cpus 0 --payload-pattern "$1" --duration "$seconds" --json --quiet >"$out/send"
    wait "$sink_pid"
    python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
sent = [json.loads(l) for l in open(f"{out}/send") if '"summary"' in l][-1]
sink = json.loads(open(f"{out}/sink").read().strip().splitlines()[-1])
print(f"sent {sent['packets'] / sent['seconds'] / 1e6:.2f}M/s  received {sink['packets'] / 1e6:.2f}M")
PY
}

for pair in $(seq "$pairs"); do
    echo "$pair A sequence  $(trial sequence)"
    echo "$pair B zero      $(trial zero)"
done

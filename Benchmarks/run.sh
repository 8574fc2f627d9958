#!/usr/bin/env bash
# Speed benchmarks: mpps against the C reference loops in Benchmarks/baseline/, plus
# sockperf and iperf3 for orientation, all on loopback. Writes BENCHMARKS.md at the
# repository root and the raw figures to Benchmarks/out/results.json.
#
#   Benchmarks/run.sh                  full run (3 s trials, 5 A/B pairs each; a few minutes)
#   BENCH_QUICK=1 Benchmarks/run.sh    smoke test (1 s trials, 3 pairs)
#
# Environment:
#   MPPS_BIN_DIR=DIR      use the mpps already built in DIR; do not build
#   MPPS_SCRATCH_PATH=DIR build with `swift build -c release --scratch-path DIR`
#                         (default: `swift build -c release`, binaries in .build/release)
#   BENCH_DURATION=S      seconds per trial (default 3; 1 with BENCH_QUICK=1)
#   BENCH_PAIRS=N         A/B pairs per comparison (default 5; 3 with BENCH_QUICK=1; at least 3)
#   BENCH_ONLY=abcdefgh   run only some comparisons (default: all)
#   BENCH_NETNS=0         stay in the host's network namespace (default: as root, a private
#                         one made with `unshare --net`, so other traffic on the host cannot
#                         disturb the /proc/net/snmp counters, and it vanishes when we end)
#   BENCH_REPORT=FILE     where to write the report (default: BENCHMARKS.md at the root)
#
# Traffic goes to 127.0.0.1 only. Every program is bounded by its own --duration (or
# by `timeout`); on any exit (normal, error, Ctrl-C, TERM) everything started is killed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/Benchmarks"
OUT="$BENCH/out"
mkdir -p "$OUT"
cd "$ROOT"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
    DURATION=${BENCH_DURATION:-1}
    PAIRS=${BENCH_PAIRS:-3}
else
    DURATION=${BENCH_DURATION:-3}
    PAIRS=${BENCH_PAIRS:-5}
fi
if [ "$PAIRS" -lt 3 ]; then
    echo "run.sh: BENCH_PAIRS must be at least 3 (A B A B A B)" >&2
    exit 64
fi

# Everything this script starts is killed on the way out: the harness (whose own
# cleanup kills its children's process groups) and, should it have died first,
# the groups it recorded in $OUT/bench.pids.
HARNESS_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    if [ -n "$HARNESS_PID" ] && kill -0 "$HARNESS_PID" 2>/dev/null; then
        kill -TERM "$HARNESS_PID" 2>/dev/null || true
        for _ in $(seq 30); do kill -0 "$HARNESS_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$HARNESS_PID" 2>/dev/null || true
    fi
    if [ -s "$OUT/bench.pids" ]; then
        while read -r pgid; do
            [ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null || true
        done < "$OUT/bench.pids"
        : > "$OUT/bench.pids"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# 1. mpps, release.
if [ -n "${MPPS_BIN_DIR:-}" ]; then
    BIN_DIR=$MPPS_BIN_DIR
    echo "== using mpps in $BIN_DIR (MPPS_BIN_DIR; not building)"
else
    build=(swift build -c release)
    [ -n "${MPPS_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$MPPS_SCRATCH_PATH")
    echo "== ${build[*]}"
    "${build[@]}"
    BIN_DIR=$("${build[@]}" --show-bin-path)
fi
[ -x "$BIN_DIR/mpps" ] || { echo "run.sh: no mpps in $BIN_DIR" >&2; exit 1; }

# 2. The C baselines.
echo "== gcc -O2 Benchmarks/baseline/*.c -> Benchmarks/out/"
for prog in recv_baseline send_baseline; do
    gcc -O2 -Wall -Wextra -o "$OUT/$prog" "$BENCH/baseline/$prog.c"
done

# 3. sockperf and iperf3 (and the tools this script uses) from Debian, if missing.
need=()
command -v sockperf >/dev/null 2>&1 || need+=(sockperf)
command -v iperf3 >/dev/null 2>&1 || need+=(iperf3)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== apt-get install ${need[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "== missing ${need[*]} (not root or no apt-get): the comparisons needing them are skipped" >&2
    fi
fi

# 4. The comparisons, in a private network namespace when we can make one.
args=(--mpps-bin "$BIN_DIR" --out "$OUT" --report "${BENCH_REPORT:-$ROOT/BENCHMARKS.md}"
      --duration "$DURATION" --pairs "$PAIRS" --only "${BENCH_ONLY:-abcdefgh}" --repo "$ROOT")
[ "${BENCH_QUICK:-0}" = 1 ] && args+=(--quick)
run=(python3 "$BENCH/bench.py")
if [ "${BENCH_NETNS:-1}" = 1 ] && [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null && command -v ip >/dev/null 2>&1; then
    args+=(--netns "a private namespace (\`unshare --net\`, loopback only), so /proc/net/snmp counts only this run's traffic")
    run=(unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh "${run[@]}")
fi
echo "== ${DURATION} s trials, ${PAIRS} A/B pairs per comparison"
"${run[@]}" "${args[@]}" &
HARNESS_PID=$!
wait "$HARNESS_PID"

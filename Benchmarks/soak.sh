#!/usr/bin/env bash
# Soak: `mpps send` -> `mpps recv` on 127.0.0.1 at a paced rate (200k datagrams/s,
# sequence headers: the default payload) for SECONDS, watching both processes'
# memory and descriptors; at the end the account must close and nothing may grow.
#
#   Benchmarks/soak.sh [SECONDS]      default 600; CI runs 60
#
# Every 10 s it samples each process's RSS (/proc/PID/status VmRSS) and open
# descriptors (/proc/PID/fd). It fails (exit 1) unless:
#   - the account closes exactly: the sender's sent count (its JSON summary) =
#     the receiver's received + lost (the receiver's sequence count), no duplicates,
#     every flow ended;
#   - lost is explained by counters: lost <= the socket's drops (SO_MEMINFO) + the
#     softnet backlog's drops;
#   - RSS grows by at most 1 MiB per process from the sample at 60 s to every later
#     one (runs shorter than 120 s compare from the sample at 20 s instead);
#   - each process's descriptor count never changes.
#
# Environment:
#   MPPS_BIN_DIR=DIR       use the mpps already built in DIR; do not build
#   MPPS_SCRATCH_PATH=DIR  build with `swift build -c release --scratch-path DIR`
#                          (default: `swift build -c release`, binaries in .build/release)
#   SOAK_RATE=PPS          offered rate (default 200k)
#   SOAK_OUT=DIR           where the JSON streams and samples go (default Benchmarks/out/soak)
#   SOAK_NETNS=0           stay in the host's network namespace (default: as root, a private
#                          one made with `unshare --net`, so other traffic on the host's
#                          loopback cannot touch the kernel counters this run reads)
#
# Both programs stop by themselves (--duration); on any exit of this script
# (normal, error, Ctrl-C, TERM, HUP) whatever it started is killed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_TOTAL=${1:-600}
if ! [[ "$SECONDS_TOTAL" =~ ^[0-9]+$ ]] || [ "$SECONDS_TOTAL" -lt 40 ]; then
    echo "soak.sh: SECONDS must be a whole number of at least 40, not '$SECONDS_TOTAL'" >&2
    exit 64
fi
RATE=${SOAK_RATE:-200k}
OUT=${SOAK_OUT:-$ROOT/Benchmarks/out/soak}
SAMPLE_EVERY=10
MIB_KB=1024

# 1. mpps, release (before any namespace: the build needs none).
if [ -z "${SOAK_IN_NETNS:-}" ]; then
    if [ -n "${MPPS_BIN_DIR:-}" ]; then
        BIN_DIR=$MPPS_BIN_DIR
    else
        build=(swift build -c release --product mpps)
        [ -n "${MPPS_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$MPPS_SCRATCH_PATH")
        echo "== ${build[*]}"
        (cd "$ROOT" && "${build[@]}")
        BIN_DIR=$(cd "$ROOT" && "${build[@]}" --show-bin-path)
    fi
    export MPPS_BIN_DIR=$BIN_DIR
    # 2. A private network namespace when we can make one: this script again, inside it.
    if [ "${SOAK_NETNS:-1}" = 1 ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 \
        && unshare --net true 2>/dev/null; then
        export SOAK_IN_NETNS=1
        exec unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh bash "${BASH_SOURCE[0]}" "$@"
    fi
fi
MPPS=$MPPS_BIN_DIR/mpps
[ -x "$MPPS" ] || { echo "soak.sh: no mpps in $MPPS_BIN_DIR" >&2; exit 1; }
mkdir -p "$OUT"
rm -f "$OUT"/recv.jsonl "$OUT"/recv.err "$OUT"/send.jsonl "$OUT"/send.err "$OUT"/samples.tsv

RECV_PID=""
SEND_PID=""
SLEEP_PID=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    for pid in $SEND_PID $RECV_PID $SLEEP_PID; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The first `"KEY":number` at the top level of a one-line JSON object (the keys
# this script reads appear once, or first at the top level: `packets` precedes
# `threads`).
json_number() {  # KEY LINE
    local match
    match=$(grep -o "[{,]\"$1\":[0-9][0-9]*" <<<"$2" | head -n 1) || true
    [ -n "$match" ] || { echo "soak.sh: no \"$1\" in: $2" >&2; return 1; }
    echo "${match##*:}"
}
# The sum of every `"KEY":number` in a line (the softnet rows' drops).
json_sum() {  # KEY LINE
    grep -o "\"$1\":[0-9][0-9]*" <<<"$2" | awk -F: '{ s += $2 } END { print s + 0 }'
}
# The line of a JSON stream whose type is TYPE (the first), or nothing.
json_line() {  # TYPE FILE
    grep -m 1 "^{\"type\":\"$1\"" "$2" 2>/dev/null || true
}
wait_for_line() {  # TYPE FILE PID
    local tries=0
    while [ -z "$(json_line "$1" "$2")" ]; do
        kill -0 "$3" 2>/dev/null || { echo "soak.sh: $2 ended before its $1 line:" >&2; cat "${2%.jsonl}.err" >&2; exit 1; }
        tries=$((tries + 1))
        [ "$tries" -le 200 ] || { echo "soak.sh: no $1 line in $2 after 10 s" >&2; exit 1; }
        sleep 0.05
    done
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

namespace="host's network namespace"
[ -n "${SOAK_IN_NETNS:-}" ] && namespace="private network namespace (unshare --net)"
echo "== soak: $SECONDS_TOTAL s at $RATE datagrams/s on 127.0.0.1, $namespace; mpps from $MPPS_BIN_DIR"

# 3. The receiver, until its ready line (every thread reading); then the sender.
# The receiver outlives the sender by a few seconds so that it counts everything sent.
"$MPPS" recv 127.0.0.1:0 --json --duration $((SECONDS_TOTAL + 5)) >"$OUT/recv.jsonl" 2>"$OUT/recv.err" &
RECV_PID=$!
wait_for_line ready "$OUT/recv.jsonl" "$RECV_PID"
ready=$(json_line ready "$OUT/recv.jsonl")
address=$(grep -o '"address":"[^"]*"' <<<"$ready" | cut -d'"' -f4)
"$MPPS" send "$address" --json --rate "$RATE" --duration "$SECONDS_TOTAL" >"$OUT/send.jsonl" 2>"$OUT/send.err" &
SEND_PID=$!
wait_for_line ready "$OUT/send.jsonl" "$SEND_PID"
start=$(date +%s.%N)

# 4. Samples every 10 s while the sender runs: t, RSS (KiB) and descriptors of each.
printf 't\trecv_rss_kb\tsend_rss_kb\trecv_fds\tsend_fds\n' >"$OUT/samples.tsv"
k=0
while :; do
    t=$((k * SAMPLE_EVERY))
    [ "$t" -lt "$SECONDS_TOTAL" ] || break
    now=$(date +%s.%N)
    pause=$(awk -v s="$start" -v t="$t" -v n="$now" 'BEGIN { p = s + t - n; print (p > 0 ? p : 0) }')
    sleep "$pause" & SLEEP_PID=$!
    wait "$SLEEP_PID"  # a signal ends a wait at once; a foreground sleep would hold the trap back
    kill -0 "$SEND_PID" 2>/dev/null && kill -0 "$RECV_PID" 2>/dev/null || break
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$(rss_kb "$RECV_PID")" "$(rss_kb "$SEND_PID")" \
        "$(fd_count "$RECV_PID")" "$(fd_count "$SEND_PID")" >>"$OUT/samples.tsv"
    k=$((k + 1))
done

# 5. Both end by themselves: the sender after SECONDS, the receiver 5 s later.
send_status=0; wait "$SEND_PID" || send_status=$?
recv_status=0; wait "$RECV_PID" || recv_status=$?
SEND_PID=""; RECV_PID=""

failures=()
[ "$send_status" = 0 ] || failures+=("mpps send exited with status $send_status: $(head -c 500 "$OUT/send.err")")
[ "$recv_status" = 0 ] || failures+=("mpps recv exited with status $recv_status: $(head -c 500 "$OUT/recv.err")")
send_summary=$(json_line summary "$OUT/send.jsonl")
recv_summary=$(json_line summary "$OUT/recv.jsonl")
if [ -z "$send_summary" ] || [ -z "$recv_summary" ]; then
    echo "soak.sh: FAIL: a summary line is missing (see $OUT)" >&2
    exit 1
fi

# 6. The account: sent = received + lost, lost explained by the kernel's drop counters.
sent=$(json_number packets "$send_summary")
received=$(json_number packets "$recv_summary")
lost=$(json_number lost "$recv_summary")
duplicates=$(json_number duplicates "$recv_summary")
without_end=$(json_number flows_without_end "$recv_summary")
socket_drops=$(json_number socket_drops "$recv_summary")
backlog_drops=$(json_sum dropped "$recv_summary")
[ $((received + lost)) = "$sent" ] \
    || failures+=("the account does not close: sent $sent != received $received + lost $lost")
[ "$duplicates" = 0 ] || failures+=("$duplicates duplicates")
[ "$without_end" = 0 ] || failures+=("$without_end flows without their end-of-flow datagrams")
[ "$lost" -le $((socket_drops + backlog_drops)) ] \
    || failures+=("lost $lost is more than the drop counters explain (socket $socket_drops + backlog $backlog_drops)")

# 7. Memory and descriptors: growth after the first minute (or the first 20 s).
samples=$(($(wc -l <"$OUT/samples.tsv") - 1))
if [ "$SECONDS_TOTAL" -ge 120 ]; then base_t=60; else base_t=20; fi
[ "$samples" -ge $((base_t / SAMPLE_EVERY + 2)) ] \
    || failures+=("only $samples samples: the run ended early")
# Per process: RSS at 0, at base_t and at the last sample, the largest after base_t, fd min and max.
summary_of() {  # RSS_COLUMN FD_COLUMN
    awk -F'\t' -v base="$base_t" -v r="$1" -v f="$2" 'NR > 1 {
        if (NR == 2) { first = $r; fmin = $f; fmax = $f }
        if ($1 == base) { at = $r; peak = $r }
        if ($1 > base && $r > peak) peak = $r
        if ($f < fmin) fmin = $f
        if ($f > fmax) fmax = $f
        last = $r
    } END { print first, at, last, peak, fmin, fmax }' "$OUT/samples.tsv"
}
read -r r_first r_base r_last r_peak r_fmin r_fmax < <(summary_of 2 4)
read -r s_first s_base s_last s_peak s_fmin s_fmax < <(summary_of 3 5)
for who in recv send; do
    if [ "$who" = recv ]; then base=$r_base peak=$r_peak fmin=$r_fmin fmax=$r_fmax
    else base=$s_base peak=$s_peak fmin=$s_fmin fmax=$s_fmax; fi
    if [ -n "$base" ] && [ $((peak - base)) -gt "$MIB_KB" ]; then
        failures+=("mpps $who's RSS grew by $((peak - base)) KiB after ${base_t} s (limit $MIB_KB KiB)")
    fi
    [ "$fmin" = "$fmax" ] || failures+=("mpps $who's descriptors changed: $fmin to $fmax")
done

# 8. The table.
last_t=$(tail -n 1 "$OUT/samples.tsv" | cut -f1)
echo
printf '%-34s %14s %14s\n' "" "mpps recv" "mpps send"
printf '%-34s %14s %14s\n' "RSS at 0 s (KiB)" "$r_first" "$s_first"
printf '%-34s %14s %14s\n' "RSS at ${base_t} s (KiB)" "$r_base" "$s_base"
printf '%-34s %14s %14s\n' "RSS at ${last_t} s, last sample (KiB)" "$r_last" "$s_last"
printf '%-34s %14s %14s\n' "largest RSS after ${base_t} s (KiB)" "$r_peak" "$s_peak"
printf '%-34s %14s %14s\n' "growth after ${base_t} s (KiB, max 1024)" "$((r_peak - r_base))" "$((s_peak - s_base))"
printf '%-34s %14s %14s\n' "descriptors (min-max)" "$r_fmin-$r_fmax" "$s_fmin-$s_fmax"
echo
send_seconds=$(grep -o '"seconds":[0-9.]*' <<<"$send_summary" | head -n 1 | cut -d: -f2)
echo "sent at $(awk -v n="$sent" -v s="$send_seconds" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }') datagrams/s" \
     "over $send_seconds s (offered $RATE; below it when the CPUs are busy elsewhere)"
echo "account: $sent sent = $received received + $lost lost" \
     "(socket drops $socket_drops, backlog drops $backlog_drops, duplicates $duplicates, flows without end $without_end)"
echo "samples: $samples, every $SAMPLE_EVERY s ($OUT/samples.tsv); growth measured from ${base_t} s" \
     "$( [ "$base_t" = 20 ] && echo '(run shorter than 120 s)')"
if [ "${#failures[@]}" -gt 0 ]; then
    for failure in "${failures[@]}"; do echo "FAIL: $failure"; done
    exit 1
fi
echo "soak: OK"

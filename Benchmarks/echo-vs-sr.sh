#!/bin/bash
# The echo's share of a ping-pong's RTT, with sockperf's own exact percentiles: `sockperf pp
# --full-rtt` (CPU 0, 32 bytes, 2 s) against `mpps echo --sockperf --batch B` for each B given
# and against `sockperf sr` (CPU 1), alternated, ROUNDS times; prints each trial's p50 in µs.
#
#     Benchmarks/echo-vs-sr.sh MPPS [ROUNDS] [BATCHES...]     e.g.  Benchmarks/echo-vs-sr.sh .build-rel/release/mpps 6 1 64
set -u
MPPS=$1; ROUNDS=${2:-5}; shift; shift || true
BATCHES=${*:-64}
p50() { taskset -c 0 sockperf pp -i 127.0.0.1 -p "$1" -m 32 -t 2 --full-rtt 2>&1 | grep -E "percentile 50.000" | grep -oE "[0-9]+\.[0-9]+$"; }
port() { echo $((20000 + RANDOM % 20000)); }
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for batch in $BATCHES; do
    P=$(port)
    taskset -c 1 "$MPPS" echo 127.0.0.1:"$P" --sockperf --cpus 1 --batch "$batch" --quiet > /dev/null 2>&1 & E=$!
    sleep 0.5; line="$line mpps-echo-batch$batch $(p50 "$P")"; kill -INT $E; wait $E
  done
  P=$(port)
  taskset -c 1 sockperf sr -i 127.0.0.1 -p "$P" > /dev/null 2>&1 & S=$!
  sleep 0.5; line="$line sockperf-sr $(p50 "$P")"; kill -INT $S; wait $S
  echo "$line"
done

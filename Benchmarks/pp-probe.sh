#!/bin/bash
# Which system-call flavour costs a ping-pong's round trip what: Benchmarks/baseline/pp_probe.c
# (one 32-byte request in flight on 127.0.0.1, client on CPU 0, server on CPU 1) for every client
# mode against every server mode, alternated, ROUNDS times; prints each pair's p50 RTT in ns.
#
#     Benchmarks/pp-probe.sh ROUNDS SECONDS CLIENT_MODES... -- SERVER_MODES...
#     e.g.  Benchmarks/pp-probe.sh 4 2 plain -- plain plain-timeo msg msg-timeo mmsg1 mmsg mmsg-big
#
# Modes are described at the top of pp_probe.c.
set -eu
ROUNDS=$1; SECONDS_EACH=$2; shift 2
clients=(); servers=(); side=client
for arg in "$@"; do
  if [ "$arg" = "--" ]; then side=server
  elif [ $side = client ]; then clients+=("$arg")
  else servers+=("$arg"); fi
done
probe=$(mktemp -d)/pp_probe
trap 'rm -rf "$(dirname "$probe")"' EXIT
gcc -O2 -Wall -o "$probe" "$(dirname "$0")/baseline/pp_probe.c"
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for server in "${servers[@]}"; do
    for client in "${clients[@]}"; do
      port=$((20000 + RANDOM % 20000))
      "$probe" server "$port" "$server" 1 & pid=$!
      sleep 0.3
      result=$("$probe" client "$port" "$client" "$SECONDS_EACH" 0 | sed 's/.*p50_ns=\([0-9]*\).*/\1/')
      kill "$pid"; wait "$pid" 2>/dev/null || true
      line="$line $client→$server $result"
    done
  done
  echo "$line"
done

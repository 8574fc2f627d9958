#!/usr/bin/env bash
# Writes a fixture tree (Tests/HostStatsTests/Fixtures/HOST) to stdout as the records
# the HostSnapshot target reads: `PATH NUL CONTENT NUL` per file, `@PATH NUL TARGET NUL`
# per symbolic link. With --lean, an interface's statistics directory keeps only the
# counters mpps reads (packets and receive drops), so each input writes fewer files.
#
#   Fuzz/Tools/tree-to-records.sh --lean Tests/HostStatsTests/Fixtures/vm-virtio > Fuzz/Corpus/HostSnapshot/vm-virtio
set -euo pipefail
lean=0
if [ "${1:-}" = --lean ]; then lean=1; shift; fi
[ $# -eq 1 ] && [ -d "$1" ] || { echo "usage: $0 [--lean] FIXTURE-DIR" >&2; exit 64; }
cd "$1"
find . \( -type f -o -type l \) -print | LC_ALL=C sort | while IFS= read -r path; do
    path=${path#./}
    if [ "$lean" = 1 ]; then
        case "$path" in
            sys/class/net/*/statistics/rx_packets|sys/class/net/*/statistics/tx_packets) ;;
            sys/class/net/*/statistics/rx_dropped|sys/class/net/*/statistics/rx_missed_errors) ;;
            sys/class/net/*/statistics/rx_fifo_errors|sys/class/net/*/statistics/rx_over_errors) ;;
            sys/class/net/*/statistics/*) continue ;;
        esac
    fi
    if [ -L "$path" ]; then
        printf '@%s\0%s\0' "$path" "$(readlink "$path")"
    else
        printf '%s\0' "$path"
        cat "$path"
        printf '\0'
    fi
done

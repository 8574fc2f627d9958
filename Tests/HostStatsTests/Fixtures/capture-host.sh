#!/bin/sh
# Captures the /proc and /sys files mpps doctor reads into a fixture tree:
#   sh capture-host.sh DIR
# then `mpps doctor --root DIR` reads DIR as it would the host. ethtool output
# (`ethtool -S`, `-l`, `-n rx-flow-hash udp4|udp6`) is captured when the ethtool
# program is installed. /proc/net/nf_conntrack is recorded as present but empty:
# its lines name other hosts' connections.
set -eu
out=${1:?usage: capture-host.sh DIR}
mkdir -p "$out"

copy() {  # copy FILE...: each readable file to the same path under $out
    for f in "$@"; do
        [ -r "$f" ] || continue
        mkdir -p "$out$(dirname "$f")"
        cat "$f" > "$out$f" 2>/dev/null || rm -f "$out$f"
    done
}

copy /proc/net/softnet_stat /proc/interrupts /proc/modules /proc/sys/net/netfilter/nf_conntrack_count
if [ -e /proc/net/nf_conntrack ]; then mkdir -p "$out/proc/net"; : > "$out/proc/net/nf_conntrack"; fi
for d in /proc/irq/[0-9]*; do copy "$d/smp_affinity_list" "$d/effective_affinity_list"; done
for n in rmem_max rmem_default wmem_max wmem_default netdev_max_backlog netdev_budget netdev_budget_usecs busy_read busy_poll; do
    copy "/proc/sys/net/core/$n"
done
copy /proc/sys/net/ipv4/udp_mem /proc/sys/net/ipv4/udp_rmem_min /proc/sys/net/ipv4/udp_wmem_min
copy /sys/devices/system/cpu/online
for c in /sys/devices/system/cpu/cpu[0-9]*; do
    copy "$c/topology/thread_siblings_list" "$c/topology/core_id" "$c/topology/physical_package_id"
done
for n in /sys/devices/system/node/node[0-9]*; do copy "$n/cpulist"; done

for i in /sys/class/net/*; do
    [ -d "$i" ] || continue
    name=$(basename "$i")
    dir="/sys/class/net/$name"
    mkdir -p "$out$dir"
    copy "$dir/ifindex" "$dir/operstate" "$dir/type"
    for s in "$dir"/statistics/*; do copy "$s"; done
    for q in "$dir"/queues/rx-*; do [ -d "$q" ] && mkdir -p "$out$q" && copy "$q/rps_cpus"; done
    for q in "$dir"/queues/tx-*; do [ -d "$q" ] && mkdir -p "$out$q" && copy "$q/xps_cpus"; done
    if [ -L "$dir/device" ]; then
        # The device as a directory under sys/devices, linked as sysfs links it,
        # so that device/../numa_node (a virtio device's PCI parent) resolves too.
        real=$(readlink -f "$dir/device")
        copy "$real/uevent" "$real/numa_node" "$(dirname "$real")/numa_node" "$(dirname "$real")/uevent"
        ln -sfn "../../..${real#/sys}" "$out$dir/device"
    fi
    if command -v ethtool >/dev/null 2>&1; then
        ethtool -S "$name" > "$out/ethtool-S-$name.txt" 2>&1 || true
        ethtool -l "$name" > "$out/ethtool-l-$name.txt" 2>&1 || true
        for flow in udp4 udp6; do
            ethtool -n "$name" rx-flow-hash "$flow" > "$out/ethtool-n-$name-$flow.txt" 2>&1 || true
        done
    fi
done
echo "captured into $out"

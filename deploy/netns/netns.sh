#!/usr/bin/env bash
# Several test hosts on one machine: network namespaces on a private bridge. Needs root.
#
#   netns.sh up N        hosts PREFIX-h0 … PREFIX-h(N-1) at 10.77.0.10 … on a bridge in PREFIX-net
#   netns.sh exec H CMD  run CMD on host H (0, 1, …)
#   netns.sh cut H       partition host H: drop everything in and out of its eth0 (nftables)
#   netns.sh heal H      undo the cut
#   netns.sh addr H      print host H's address
#   netns.sh down        remove every namespace of PREFIX (safe to run twice, or after a failure)
#
# The bridge lives in its own namespace and no host has a route out: nothing leaves the machine,
# and the root namespace is not touched. PREFIX is $SWEEP_NETNS_PREFIX (default swt).
set -euo pipefail
prefix=${SWEEP_NETNS_PREFIX:-swt}
net="$prefix-net"

address() { echo "10.77.0.$((10 + $1))"; }

up() {
    local count=$1
    down
    ip netns add "$net"
    ip -n "$net" link add br0 type bridge
    ip -n "$net" link set br0 up
    ip -n "$net" link set lo up
    for ((i = 0; i < count; i++)); do
        local host="$prefix-h$i"
        ip netns add "$host"
        ip link add "$prefix-v$i" type veth peer name "$prefix-p$i"
        ip link set "$prefix-v$i" netns "$host"
        ip link set "$prefix-p$i" netns "$net"
        ip -n "$host" link set "$prefix-v$i" name eth0
        ip -n "$host" addr add "$(address "$i")/24" dev eth0
        ip -n "$host" link set eth0 up
        ip -n "$host" link set lo up
        ip -n "$net" link set "$prefix-p$i" master br0
        ip -n "$net" link set "$prefix-p$i" up
    done
}

down() {
    local name
    for name in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-(net|h[0-9]+)$" || true); do
        ip netns pids "$name" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$name"
    done
}

cut() {
    ip netns exec "$prefix-h$1" nft -f - <<NFT
table inet sweep_cut {
    chain input { type filter hook input priority 0; policy drop; iif "lo" accept; }
    chain output { type filter hook output priority 0; policy drop; oif "lo" accept; }
}
NFT
}

heal() {
    ip netns exec "$prefix-h$1" nft delete table inet sweep_cut 2>/dev/null || true
}

command=${1:-}
shift || true
case "$command" in
    up) up "${1:?how many hosts}" ;;
    down) down ;;
    exec) host=${1:?which host}; shift; exec ip netns exec "$prefix-h$host" "$@" ;;
    cut) cut "${1:?which host}" ;;
    heal) heal "${1:?which host}" ;;
    addr) address "${1:?which host}" ;;
    *) echo "usage: $0 up N | exec H CMD… | cut H | heal H | addr H | down" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The cluster benchmark across hosts: the coordinator in one network namespace, the no-op
# workers (sweep-bench) in another, CURVE on. Needs root and `make bench` binaries.
#   deploy/netns/bench.sh        prints the table and writes bench-results/hosts.json
set -euo pipefail
cd "$(dirname "$0")/../.."
netns=deploy/netns/netns.sh
export SWEEP_NETNS_PREFIX=${SWEEP_NETNS_PREFIX:-swb}
trap '"$netns" down' EXIT
"$netns" up 2
SWEEP_BENCH_COORDINATOR_NETNS="$SWEEP_NETNS_PREFIX-h0" SWEEP_BENCH_COORDINATOR_HOST=$("$netns" addr 0) \
    "$netns" exec 1 .build/release/sweep-bench hosts

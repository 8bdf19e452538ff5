#!/usr/bin/env bash
# make demo: a coordinator and two workers on loopback, one study submitted and followed to the
# end, then the best configuration and its test score. Everything started here is stopped on
# exit, Ctrl-C included.
set -euo pipefail
spec=${1:-examples/fashion-mnist-mlp.yaml}
bin=.build/release
run=$(mktemp -d -t sweep-demo.XXXXXX)
workers_port=${SWEEP_DEMO_WORKERS_PORT:-15555}
clients_port=${SWEEP_DEMO_CLIENTS_PORT:-15556}
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$run"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CURVE as in production: a key pair each, the coordinator admitting the workers' and the
# client's public keys; the cluster file tells workers and the CLI where and whom to trust.
keys="$run/keys"
"$bin/sweep" keygen coordinator --dir "$keys" > /dev/null
"$bin/sweep" keygen demo --dir "$keys/clients" > /dev/null
for i in 1 2; do "$bin/sweep" keygen "worker-$i" --dir "$keys/workers" > /dev/null; done
"$bin/coordinator" --workers "tcp://127.0.0.1:$workers_port" --clients "tcp://127.0.0.1:$clients_port" \
    --store "$run/sweep.sqlite" --key "$keys/coordinator.key_secret" \
    --workers-allow "$keys/workers" --clients-allow "$keys/clients" --cluster-file "$run/cluster.yaml" 2> "$run/coordinator.log" &
pids+=($!)
for _ in $(seq 50); do [ -s "$run/cluster.yaml" ] && break; sleep 0.1; done
for i in 1 2; do
    "$bin/worker" --cluster "$run/cluster.yaml" --key "$keys/workers/worker-$i.key_secret" --name "worker-$i" --threads 1 \
        2> "$run/worker-$i.log" &
    pids+=($!)
done
export SWEEP_CLUSTER="$run/cluster.yaml" SWEEP_KEY="$keys/clients/demo.key_secret"
study=$("$bin/sweep" submit "$spec")
echo "submitted $spec as $study (logs in $run)"
"$bin/sweep" leaderboard "$study" --follow --top 10
echo "best configuration:"
"$bin/sweep" leaderboard "$study" --top 1

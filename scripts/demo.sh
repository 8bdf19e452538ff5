#!/usr/bin/env bash
# make demo: a coordinator and two workers on loopback, one study submitted and followed to the
# end. Everything started here is stopped on exit, Ctrl-C included.
set -euo pipefail
spec=${1:-examples/fashion-mnist-mlp.yaml}
bin=.build/release
run=$(mktemp -d -t sweep-demo.XXXXXX)
workers_port=${SWEEP_DEMO_WORKERS_PORT:-15555}
clients_port=${SWEEP_DEMO_CLIENTS_PORT:-15556}
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 1
    # The services do not yet always exit on SIGTERM: make sure nothing outlives the demo.
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$run"
}
trap cleanup EXIT INT TERM

"$bin/coordinator" --workers "tcp://127.0.0.1:$workers_port" --clients "tcp://127.0.0.1:$clients_port" \
    --store "$run/sweep.sqlite" 2> "$run/coordinator.log" &
pids+=($!)
for i in 1 2; do
    "$bin/worker" --coordinator "tcp://127.0.0.1:$workers_port" --name "worker-$i" --threads 1 2> "$run/worker-$i.log" &
    pids+=($!)
done
sleep 1
study=$("$bin/sweep" submit "$spec" --coordinator "tcp://127.0.0.1:$clients_port")
echo "submitted $spec as $study (logs in $run)"
"$bin/sweep" leaderboard "$study" --follow --top 10 --coordinator "tcp://127.0.0.1:$clients_port"
echo "best configuration:"
"$bin/sweep" leaderboard "$study" --top 1 --json --coordinator "tcp://127.0.0.1:$clients_port"

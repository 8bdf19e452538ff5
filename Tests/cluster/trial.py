"""A command trial for the cluster tests: a noisy quadratic in x, one JSON report per epoch.
Usage: trial.py X EPOCHS SECONDS_PER_EPOCH"""
import json
import os
import sys
import time

x, epochs, pause = float(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
assert float(os.environ["SWEEP_PARAM_X"]) == x
for epoch in range(1, epochs + 1):
    time.sleep(pause)
    print(json.dumps({"epoch": epoch, "loss": (x - 0.3) ** 2 + 1.0 / epoch}), flush=True)
print(f"trial x={x} done", file=sys.stderr)

#!/usr/bin/env python3
"""A command trial for Sweep: gradient descent with momentum on an ill-conditioned quadratic,
reporting its loss every epoch as one JSON line. Parameters come as arguments (the spec's
{placeholders}) and also as SWEEP_PARAM_* environment variables; SWEEP_SEED seeds the start."""
import argparse
import json
import math
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, required=True)
parser.add_argument("--momentum", type=float, default=0.0)
parser.add_argument("--epochs", type=int, default=20)
args = parser.parse_args()

rng = random.Random(int(os.environ.get("SWEEP_SEED", "0")))
scales = [1.0, 10.0, 100.0]                     # curvature per axis
x = [rng.uniform(-1, 1) for _ in scales]
velocity = [0.0 for _ in scales]
for epoch in range(1, args.epochs + 1):
    for _ in range(10):                          # ten steps per "epoch"
        for i, scale in enumerate(scales):
            velocity[i] = args.momentum * velocity[i] - args.lr * scale * x[i]
            x[i] += velocity[i]
    loss = 0.5 * sum(scale * xi * xi for scale, xi in zip(scales, x))
    print(json.dumps({"epoch": epoch, "loss": loss if math.isfinite(loss) else "inf"}), flush=True)

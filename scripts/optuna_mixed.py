"""Optuna's GP and TPE on MixedBench's function (Sources/sweep-bench/MixedBench.swift): Hartmann-6
with x4, x5 on a 0.1 grid (integers 0..10) and a category adding 0, 0.4 or 0.8.
Usage: optuna_mixed.py SEEDS TRIALS  → one JSON line {sampler: [best-so-far curve per seed]}."""
import json
import math
import sys

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
A = np.array([[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]])
P = 1e-4 * np.array([[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]])
ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
OFFSETS = {"a": 0.0, "b": 0.4, "c": 0.8}


def objective(trial):
    x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(4)]
    x += [trial.suggest_int("n4", 0, 10) / 10, trial.suggest_int("n5", 0, 10) / 10]
    c = trial.suggest_categorical("c", ["a", "b", "c"])
    x = np.asarray(x)
    return float(-np.sum(ALPHA * np.exp(-np.sum(A * (x - P) ** 2, axis=1)))) + OFFSETS[c]


seeds, trials = int(sys.argv[1]), int(sys.argv[2])
out = {}
for name in ["gp", "tpe"]:
    curves = []
    for seed in range(seeds):
        sampler = optuna.samplers.GPSampler(seed=seed) if name == "gp" else optuna.samplers.TPESampler(seed=seed, multivariate=True)
        study = optuna.create_study(sampler=sampler)
        study.optimize(objective, n_trials=trials)
        best, curve = math.inf, []
        for t in study.trials:
            best = min(best, t.value)
            curve.append(best)
        curves.append(curve)
    out[name] = curves
print(json.dumps(out))
print("SUMMARY mixed", " ".join(f"{k}={len(v)}" for k, v in out.items()))

"""Optuna's multi-objective samplers on ZDT1-3 (10 variables) and DTLZ2 (3 objectives, 8 variables).

Usage: python mo_bench.py SAMPLER N_SEEDS N_TRIALS OUT.json [PROBLEMS]
SAMPLER in {random, nsga2, tpe, gp}; PROBLEMS a comma list (default all four).
Records every trial's objective values per (problem, seed), so the benchmark computes the
hypervolume of Sweep's runs and Optuna's with one piece of code and one reference point.
The JSON is written after each problem.
"""
import json
import math
import sys
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def zdt_g(x):
    return 1 + 9 * float(np.mean(x[1:]))


def zdt1(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g))]


def zdt2(x):
    g = zdt_g(x)
    return [x[0], g * (1 - (x[0] / g) ** 2)]


def zdt3(x):
    g = zdt_g(x)
    return [x[0], g * (1 - math.sqrt(x[0] / g) - x[0] / g * math.sin(10 * math.pi * x[0]))]


def dtlz2(x, m=3):
    g = float(np.sum((np.asarray(x[m - 1:]) - 0.5) ** 2))
    f = []
    for i in range(m):
        v = 1 + g
        for j in range(m - 1 - i):
            v *= math.cos(x[j] * math.pi / 2)
        if i > 0:
            v *= math.sin(x[m - 1 - i] * math.pi / 2)
        f.append(v)
    return f


# name: (f, variables, objectives)
PROBLEMS = {"zdt1": (zdt1, 10, 2), "zdt2": (zdt2, 10, 2), "zdt3": (zdt3, 10, 2), "dtlz2": (dtlz2, 8, 3)}


def make_sampler(name, seed):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}")


def main():
    sampler, seeds, trials, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    names = sys.argv[5].split(",") if len(sys.argv) > 5 else list(PROBLEMS)
    result = {"optuna": optuna.__version__, "sampler": sampler, "trials": trials, "problems": {}}
    for name in names:
        f, n, m = PROBLEMS[name]
        runs, started = [], time.time()
        for seed in range(seeds):
            study = optuna.create_study(directions=["minimize"] * m, sampler=make_sampler(sampler, seed))
            study.optimize(lambda t: f([t.suggest_float(f"x{i}", 0.0, 1.0) for i in range(n)]), n_trials=trials)
            runs.append([t.values for t in study.trials])
        result["problems"][name] = {"runs": runs, "seconds": time.time() - started}
        with open(out, "w") as fh:
            json.dump(result, fh)
        print(name, f"{time.time() - started:.0f} s", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()

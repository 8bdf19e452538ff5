"""Optuna's constrained samplers (GPSampler and TPESampler with constraints_func) on three
constrained problems: Gardner et al. 2014's (2 variables), Branin inside a disc (Gramacy et al.
2016's constrained Branin, 2 variables), and Hartmann6 inside the unit ball (6 variables).

Usage: python con_bench.py SAMPLER N_SEEDS N_TRIALS OUT.json [PROBLEMS]
Records every trial's (objective, violation) per (problem, seed), so the benchmark scores Sweep's
runs and Optuna's with one piece of code: the best feasible objective after n trials.
"""
import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)


def gardner(x):
    # min cos(2x)cos(y) + sin(x) s.t. cos(x)cos(y) - sin(x)sin(y) <= 0.5, x, y in [0, 6].
    a, b = x
    return math.cos(2 * a) * math.cos(b) + math.sin(a), math.cos(a) * math.cos(b) - math.sin(a) * math.sin(b) - 0.5


def branin(x):
    a, b = x
    f = (b - 5.1 / (4 * math.pi ** 2) * a * a + 5 / math.pi * a - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(a) + 10
    return f, (a - 2.5) ** 2 + (b - 7.5) ** 2 - 50


A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(x):
    f = -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))
    return f, math.sqrt(sum(v * v for v in x)) - 1


# name: (f, bounds)
PROBLEMS = {"gardner": (gardner, [(0, 6)] * 2), "branin_disc": (branin, [(-5, 10), (0, 15)]), "hartmann6_ball": (hartmann6, [(0, 1)] * 6)}


def constraints(trial):
    return [trial.user_attrs["violation"]]


def make_sampler(name, seed):
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed, constraints_func=constraints)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, constraints_func=constraints)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise SystemExit(f"unknown sampler {name}")


def main():
    sampler, seeds, trials, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    names = sys.argv[5].split(",") if len(sys.argv) > 5 else list(PROBLEMS)
    result = {"optuna": optuna.__version__, "sampler": sampler, "trials": trials, "problems": {}}
    for name in names:
        f, bounds = PROBLEMS[name]
        runs, started = [], time.time()
        for seed in range(seeds):
            def objective(t):
                value, violation = f([t.suggest_float(f"x{i}", lo, hi) for i, (lo, hi) in enumerate(bounds)])
                t.set_user_attr("violation", violation)
                return value
            study = optuna.create_study(sampler=make_sampler(sampler, seed))
            study.optimize(objective, n_trials=trials)
            runs.append([[t.value, t.user_attrs["violation"]] for t in study.trials])
        result["problems"][name] = {"runs": runs, "seconds": time.time() - started}
        with open(out, "w") as fh:
            json.dump(result, fh)
        print(f"{sampler} {name}: {time.time() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()

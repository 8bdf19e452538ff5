#!/usr/bin/env python3
"""Ask and tell with PyTorch: Sweep's samplers and stoppers drive an ordinary training loop.

A small MLP on a synthetic two-moons problem; the study (runner: external) searches the
learning rate, the width and weight decay with TPE, and ASHA stops the weak trials early.
Usage: torch_ask_tell.py [--cluster cluster.yaml --key me.key_secret] [--trials 12]
($SWEEP_CLUSTER and $SWEEP_KEY work too). Needs torch and the client: pip install ./clients/python
"""
import argparse
import math

import torch

import sweep

parser = argparse.ArgumentParser()
parser.add_argument("--cluster")
parser.add_argument("--key")
parser.add_argument("--trials", type=int, default=12)
parser.add_argument("--epochs", type=int, default=9)
args = parser.parse_args()

SPEC = {
    "study": "torch-moons",
    "runner": "external",
    "objective": {"metric": "validation_loss", "direction": "minimize"},
    "space": {"lr": {"low": 1e-3, "high": 0.3, "log": True}, "width": {"type": "int", "low": 8, "high": 64, "log": True},
              "weight_decay": {"low": 1e-6, "high": 1e-2, "log": True}},
    "strategy": {"name": "tpe"},
    "budget": {"max_trials": args.trials, "max_concurrent": 1},
    "stopper": {"name": "asha", "min_resource": 1, "reduction_factor": 3},
    "seed": 1,
}


def moons(n, generator):
    """Two interleaved half circles with noise: not linearly separable, learnt in a few epochs."""
    t = torch.rand(n, generator=generator) * math.pi
    label = torch.randint(0, 2, (n,), generator=generator)
    x = torch.stack([torch.cos(t) + label * 1.0, torch.sin(t) * (1 - 2 * label) + label * 0.5], 1)
    return x + 0.15 * torch.randn(n, 2, generator=generator), label


data = torch.Generator().manual_seed(0)          # one data set for every trial
train, valid = moons(800, data), moons(400, data)

with sweep.Client(args.cluster, args.key) as client:
    study = client.submit(SPEC)
    print("study", study)
    for trial in client.trials(study):
        with trial:
            torch.manual_seed(trial.seed)       # initialization and batch order repeat with the seed
            width = int(trial.config["width"])
            model = torch.nn.Sequential(torch.nn.Linear(2, width), torch.nn.Tanh(), torch.nn.Linear(width, width), torch.nn.Tanh(),
                                        torch.nn.Linear(width, 2))
            optimizer = torch.optim.Adam(model.parameters(), lr=trial.config["lr"], weight_decay=trial.config["weight_decay"])
            for epoch in range(1, args.epochs + 1):
                for batch in torch.randperm(len(train[0])).split(64):
                    optimizer.zero_grad()
                    torch.nn.functional.cross_entropy(model(train[0][batch]), train[1][batch]).backward()
                    optimizer.step()
                with torch.no_grad():
                    logits = model(valid[0])
                    loss = torch.nn.functional.cross_entropy(logits, valid[1]).item()
                    accuracy = (logits.argmax(1) == valid[1]).float().mean().item()
                if not trial.report(epoch, validation_loss=loss, validation_accuracy=accuracy):
                    break
            print(f"trial {trial.number}: {trial.config} → {loss:.3f}" + (f" (stopped: {trial.stopped['rule']})" if trial.stopped else ""))
    best = client.status(study)
    print(f"best trial {best['best']}: validation_loss {best['objective']:.3f}")

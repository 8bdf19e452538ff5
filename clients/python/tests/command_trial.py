"""A command trial using sweep.command: writes what it was given to DIR/params.json, reports
slowly, and saves DIR/checkpoint when the worker stops it. Usage: command_trial.py DIR"""
import json
import os
import sys
import time

from sweep import command

directory = sys.argv[1]
command.on_stop(lambda: open(os.path.join(directory, "checkpoint"), "w").write("saved"))
with open(os.path.join(directory, "params.tmp"), "w") as handle:
    json.dump({"params": command.params(), "seed": command.seed(), "trial": command.trial()}, handle)
os.rename(os.path.join(directory, "params.tmp"), os.path.join(directory, "params.json"))
for epoch in range(1, 1000):
    command.report(epoch, loss=1.0 / epoch)
    time.sleep(0.2)

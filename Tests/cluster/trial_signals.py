"""A command trial that leaves traces for the lifecycle tests: it writes its pid and a child's pid
(a `sleep` it started) to DIR/pids, saves DIR/checkpoint when SIGTERM comes, and reports once
every 0.2 s for a long time. Usage: trial_signals.py DIR"""
import json
import os
import signal
import subprocess
import sys
import time

directory = sys.argv[1]
child = subprocess.Popen(["sleep", "300"])


def on_term(number, frame):
    with open(os.path.join(directory, "checkpoint"), "w") as handle:
        handle.write(f"saved by {os.getpid()}")
    child.kill()
    sys.exit(0)


signal.signal(signal.SIGTERM, on_term)
with open(os.path.join(directory, "pids.tmp"), "w") as handle:
    handle.write(f"{os.getpid()} {child.pid}")
os.rename(os.path.join(directory, "pids.tmp"), os.path.join(directory, "pids"))
for epoch in range(1, 10_000):
    print(json.dumps({"epoch": epoch, "loss": 1.0 / epoch}), flush=True)
    time.sleep(0.2)

"""The browser side of `make bench SUITES=dashboard` (Sources/sweep-bench/DashboardBench.swift
writes the stores and reads the last line this prints: a JSON object of figures).

  bench_dashboard.py sweep --bin DIR --store PATH --trials N
      the release coordinator on the store, `sweep dashboard`, the study page in headless
      Chromium three times (first view: navigation start until every view is drawn), then a
      worker reporting 60 epochs while the page applies each push.
  bench_dashboard.py optuna --trials N
      optuna-dashboard on an Optuna study of N trials (same parameters and curves), the study
      page in the same browser: navigation start until its history plot holds the trials.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "cluster"))
from webdriver import Browser  # noqa: E402

RUNS = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not happen within {timeout} s")


def first_views(browser, url, ready, runs=RUNS, limit=180):
    """Seconds from navigation start until `ready` (a script returning a number of ms or null), each run.
    A page whose script holds the browser's main thread makes a poll time out: it is polled again."""
    times = []
    for _ in range(runs):
        browser.open("about:blank")
        browser.open(url)
        deadline = time.time() + limit
        while True:
            try:
                value = browser.run(ready)
            except (TimeoutError, urllib.error.URLError):
                value = None
            except RuntimeError as error:
                # WebDriver's own answer when the page did not run the script in time.
                if "script timeout" not in str(error):
                    raise
                value = None
            if value:
                times.append(value / 1000)
                break
            if time.time() > deadline:
                raise RuntimeError(f"{url} not ready within {limit} s")
            time.sleep(0.02)
    return times


def sweep(args):
    import zmq
    workers, clients = free_port(), free_port()
    processes = []
    try:
        processes.append(subprocess.Popen([os.path.join(args.bin, "coordinator"), "--workers", f"tcp://127.0.0.1:{workers}",
                                           "--clients", f"tcp://127.0.0.1:{clients}", "--store", args.store, "--insecure",
                                           "--log-level", "error"]))
        dashboard = subprocess.Popen([os.path.join(args.bin, "sweep"), "dashboard", "--listen", "127.0.0.1:0",
                                      "--coordinator", f"tcp://127.0.0.1:{clients}", "--insecure"], stdout=subprocess.PIPE, text=True)
        processes.append(dashboard)
        url = dashboard.stdout.readline().split()[1]
        study = url + "api/studies/s-000001"
        # The dashboard's first WATCH of the study: the coordinator's full TRIALS, mirrored and written for the page.
        began = time.time()
        wait(lambda: urllib.request.urlopen(study, timeout=120).status == 200, 180, "the study's data")
        cold = time.time() - began
        began = time.time()
        payload = len(urllib.request.urlopen(study, timeout=120).read())
        warm = time.time() - began
        browser = Browser()
        try:
            ready = "return document.body.dataset.ready === '1' ? window.sweepStats.firstViewMs : null"
            times = first_views(browser, url + "study/s-000001", ready)
            redraws = browser.run("return window.sweepStats.redraws")
            print("phases of the last first view (ms):", browser.run("return JSON.stringify(window.sweepStats.phases)"), file=sys.stderr)
            # Live: a worker reports; each METRIC becomes one push of one trial.
            context = zmq.Context.instance()
            worker = context.socket(zmq.DEALER)
            worker.setsockopt(zmq.IDENTITY, b"bench-w")
            worker.setsockopt(zmq.LINGER, 0)
            worker.connect(f"tcp://127.0.0.1:{workers}")

            def send(kind, body):
                header = {"type": kind, "id": str(uuid.uuid4()), "minor": 2, "ts": "2026-12-02T00:00:00Z"}
                worker.send_multipart([b"SWEEP/1", json.dumps(header).encode(), json.dumps(body).encode()])

            def receive(kind):
                deadline = time.time() + 300
                while time.time() < deadline:
                    if worker.poll(1000):
                        frames = worker.recv_multipart()
                        if json.loads(frames[1])["type"] == kind:
                            return json.loads(frames[2])
                raise RuntimeError(f"no {kind}")
            send("HELLO", {"worker": "bench-w", "boot_id": "b", "host": "bench", "cores": 2, "threads": 1, "version": "bench",
                           "proto_min": 1, "proto_max": 1, "running": []})
            began = time.time()
            assign = receive("ASSIGN")
            print(f"ASSIGN after {time.time() - began:.1f} s", file=sys.stderr)
            send("ACCEPT", {"trial": assign["trial"], "attempt": assign["attempt"]})
            for epoch in range(1, 61):
                send("METRIC", {"trial": assign["trial"], "attempt": assign["attempt"], "seq": epoch, "epoch": epoch,
                                "metrics": {"loss": 2.0 / epoch, "train_loss": 1.8 / epoch}})
                receive("DECISION")
                time.sleep(0.05)
            wait(lambda: browser.run("return window.sweepStats.pushes") >= 55, 30, "the pushes")
            applied = sorted(browser.run("return window.sweepStats.applyMs"))
            redraws = browser.run("return window.sweepStats.redraws") - redraws
            errors = browser.run("return window.sweepStats.errors")
            if errors:
                raise RuntimeError(f"the page reported errors: {errors}")
            worker.close()
        finally:
            browser.close()
        print(json.dumps({"first_view_s": statistics.median(times), "first_view_spread_s": max(times) - min(times),
                          "server_cold_s": cold, "server_warm_s": warm, "payload_mb": payload / 1e6, "pushes": float(len(applied)),
                          "push_apply_ms": statistics.median(applied), "push_apply_p90_ms": applied[int(len(applied) * 0.9)],
                          "redraws_in_pushes": float(redraws)}))
    finally:
        for p in processes:
            p.terminate()
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def optuna_dashboard(args):
    import optuna
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
    import random
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directory = tempfile.mkdtemp(prefix="optuna-dash-")
    storage = f"sqlite:///{directory}/optuna.sqlite3"
    study = optuna.create_study(storage=storage, study_name="dashboard-bench")
    distributions = {"lr": FloatDistribution(1e-4, 1, log=True), "width": IntDistribution(16, 512),
                     "dropout": FloatDistribution(0, 0.5), "optimizer": CategoricalDistribution(["sgd", "momentum", "adam"])}
    rng = random.Random(7)
    trials = []
    for _ in range(args.trials):
        lr, width, dropout = 10 ** (-4 + 4 * rng.random()), rng.randint(16, 512), 0.5 * rng.random()
        final = abs(__import__("math").log10(lr) + 2.5) * 0.3 + dropout * 0.2 + 0.1 * rng.random()
        epochs = 1 if rng.random() < 0.6 else 5
        state = optuna.trial.TrialState.COMPLETE if epochs == 5 else optuna.trial.TrialState.PRUNED
        trials.append(optuna.trial.create_trial(
            params={"lr": lr, "width": width, "dropout": dropout, "optimizer": rng.choice(["sgd", "momentum", "adam"])},
            distributions=distributions, value=final + 1.0 / epochs, state=state,
            intermediate_values={e: final + 1.0 / e for e in range(1, epochs + 1)}))
    study.add_trials(trials)
    port = free_port()
    server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "optuna-dashboard"), storage, "--port", str(port), "--host", "127.0.0.1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200, 60, "optuna-dashboard")
        browser = Browser()
        try:
            # Usable: its history plot (Plotly) holds every trial.
            ready = f"""const p = document.querySelector('.js-plotly-plot');
                if (!p || !p.data) return null;
                const n = p.data.reduce((s, d) => s + (d.x ? d.x.length : 0), 0);
                return n >= {args.trials} * 0.9 ? performance.now() : null;"""
            # One run past 1,000 trials: each takes minutes.
            times = first_views(browser, f"http://127.0.0.1:{port}/dashboard/studies/1", ready,
                                runs=RUNS if args.trials <= 1000 else 1, limit=600)
        finally:
            browser.close()
        print(json.dumps({"first_view_s": statistics.median(times), "first_view_spread_s": max(times) - min(times),
                          "runs": float(len(times)), "note": "until its history plot holds the trials"}))
    finally:
        # It does not always stop on SIGTERM.
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["sweep", "optuna"])
    parser.add_argument("--bin")
    parser.add_argument("--store")
    parser.add_argument("--trials", type=int, required=True)
    args = parser.parse_args()
    sweep(args) if args.mode == "sweep" else optuna_dashboard(args)


if __name__ == "__main__":
    main()

"""The Python client against a real coordinator and worker (the debug binaries, or $SWEEP_BIN):
submit, follow, export, steering, errors, ask/tell, the command-trial helper, and the PyTorch
example when torch is installed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "clients", "python"))
sys.path.insert(0, os.path.join(ROOT, "Tests", "cluster"))

import sweep  # noqa: E402
from test_cluster import Cluster, quadratic_study, wait_for  # noqa: E402

COMMAND_TRIAL = os.path.join(HERE, "command_trial.py")
EXAMPLE = os.path.join(ROOT, "examples", "python", "torch_ask_tell.py")


def external(**budget):
    return {"study": "notebook", "runner": "external", "objective": {"metric": "loss"},
            "space": {"lr": {"low": 0.001, "high": 1.0, "log": True}}, "strategy": {"name": "random"},
            "budget": {"max_trials": 6, "max_concurrent": 1, **budget}, "stopper": {"name": "median", "warmup": 1, "min_trials": 1}, "seed": 2}


class ClientTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sweep-py-")
        self.cluster = Cluster(self.tmp, lease_grace=30)
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.addCleanup(self.cluster.stop)
        self.cluster.start_coordinator()
        self.client = sweep.Client(self.cluster.cluster_file, key=self.cluster.key("tester", "clients"))
        self.addCleanup(self.client.close)

    def test_submit_follow_export_and_steer_a_study(self):
        self.cluster.start_worker("w1")
        study = self.client.submit(quadratic_study(trials=3, concurrent=1, epochs=2, pause=0.05))
        updates = list(self.client.follow(study, top=5))
        self.assertGreater(len(updates), 1, "a snapshot, then updates as trials report")
        self.assertEqual(updates[-1].status["state"], "completed")
        self.assertEqual(len(updates[-1].rows), 3)
        trials = self.client.export(study)
        self.assertEqual([t["status"] for t in trials], ["completed"] * 3)
        self.assertTrue(all("x" in t["config"] and t["metrics"] for t in trials))

        self.client.extend(study, trials=1)
        self.assertIn(self.client.status(study)["state"], ("running", "completed"))
        wait_for(lambda: self.client.status(study)["state"] == "completed", 30, "the extended study to complete")
        self.assertEqual(self.client.status(study)["trials"], 4)
        with self.assertRaises(sweep.SweepError) as caught:
            self.client.enqueue(study, {"x": 0.3})
        self.assertIn("sweep extend", caught.exception.message)

    def test_errors_name_the_field_and_change_nothing(self):
        spec = quadratic_study()
        spec["space"]["x"]["low"] = 2.0
        with self.assertRaises(sweep.SweepError) as caught:
            self.client.submit(spec)
        self.assertEqual(caught.exception.code, "invalid_spec")
        self.assertEqual([p["path"] for p in caught.exception.problems], ["space.x.high"])
        self.assertEqual(self.client.status(), [])
        with self.assertRaises(sweep.SweepError) as caught:
            self.client.status("s-000404")
        self.assertEqual(caught.exception.code, "unknown_study")

    def test_ask_tell_drives_a_python_loop_with_the_samplers_and_stoppers(self):
        study = self.client.submit(external())
        seen, raised = [], []
        for trial in self.client.trials(study, worker="notebook"):
            try:
                with trial:
                    lr = trial.config["lr"]
                    if trial.number == 2:
                        raise_inside(trial)
                    for epoch in range(1, 4):
                        loss = (lr - 0.1) ** 2 + 1.0 / epoch
                        if not trial.report(epoch, loss=loss):
                            break
            except ZeroDivisionError:
                raised.append(trial.number)  # the trial told "failed" on the way out, and the error goes on
            seen.append((trial.number, trial.stopped["rule"] if trial.stopped else None))
        self.assertEqual(raised, [2])
        status = self.client.status(study)
        self.assertEqual(status["state"], "completed")
        self.assertEqual(status["trials"], 6)
        exported = self.client.export(study)
        self.assertEqual(exported[2]["status"], "failed")
        self.assertIn("ZeroDivisionError", exported[2]["stop_reason"]["detail"], "the traceback is the reason")
        stopped = [n for n, rule in seen if rule == "median"]
        self.assertTrue(stopped, f"the median rule stopped some trials: {seen}")
        self.assertTrue(all(exported[n]["status"] == "pruned" for n in stopped))
        self.assertTrue(all(t["worker"] == "notebook" for t in exported))

    def frame(self, study):
        """The DataFrame's rows by trial, pandas stood in for by a list (CI installs no pandas);
        None where a real pandas is installed."""
        fake = type(sys)("pandas")
        fake.DataFrame = list
        sys.modules.setdefault("pandas", fake)
        if sys.modules["pandas"] is not fake:
            return None
        self.addCleanup(sys.modules.pop, "pandas")
        return {r["trial"]: r for r in self.client.dataframe(study)}

    def test_several_objectives_come_back_with_their_pareto_front(self):
        spec = external()
        spec.update(objective=[{"metric": "loss"}, {"metric": "size"}], stopper={"name": "none"})
        spec["budget"]["max_trials"] = 4
        study = self.client.submit(spec)
        told = {}
        for trial in self.client.trials(study, worker="notebook"):
            with trial:
                # Trials trade loss for size: the front is every trial but those both bigger and worse.
                loss, size = [(0.2, 5.0), (0.5, 1.0), (0.3, 6.0), (0.1, 9.0)][trial.number]
                told[trial.number] = (loss, size)
                trial.report(1, loss=loss, size=size)
        status = self.client.status(study)
        self.assertEqual(status["objectives"], ["loss minimize", "size minimize"])
        self.assertEqual(status["front"], 3)
        exported = {t["trial"]: t for t in self.client.export(study)}
        for number, (loss, size) in told.items():
            self.assertEqual(exported[number]["values"], [loss, size])
        self.assertEqual([exported[n]["front"] for n in range(4)], [1, 1, 2, 1])
        self.assertEqual([exported[n]["dominated"] for n in range(4)], [0, 0, 1, 0])
        rows = next(iter(self.client.follow(study, top=4))).rows
        self.assertEqual([r["front"] for r in rows], [1, 1, 1, 2], "by front, then the first objective")
        self.assertEqual(rows[0]["values"], [0.1, 9.0])
        frame = self.frame(study)
        if frame is not None:
            self.assertEqual((frame[2]["value.loss"], frame[2]["value.size"], frame[2]["front"], frame[2]["dominated"]), (0.3, 6.0, 2, 1))

    def test_constraints_keep_infeasible_trials_but_the_best_is_feasible(self):
        spec = external()
        spec.update(constraints=[{"metric": "size", "max": 5}], stopper={"name": "none"})
        spec["budget"]["max_trials"] = 3
        study = self.client.submit(spec)
        for trial in self.client.trials(study, worker="notebook"):
            with trial:
                # The lowest loss is over the size bound.
                loss, size = [(0.1, 9.0), (0.5, 1.0), (0.3, 4.0)][trial.number]
                trial.report(1, loss=loss, size=size)
        status = self.client.status(study)
        self.assertEqual((status["best"], status["objective"]), (2, 0.3))
        self.assertEqual((status["constraints"], status["feasible"]), (["size ≤ 5"], 2))
        exported = {t["trial"]: t for t in self.client.export(study)}
        self.assertEqual([exported[n]["feasible"] for n in range(3)], [False, True, True])
        self.assertEqual(exported[0]["violations"], [4.0])
        rows = next(iter(self.client.follow(study, top=3))).rows
        self.assertEqual([r["trial"] for r in rows], [2, 1, 0], "infeasible after feasible")
        frame = self.frame(study)
        if frame is not None:
            self.assertEqual((frame[0]["feasible"], frame[0]["violation.size"]), (False, 4.0))

    def test_a_command_trial_reads_its_parameters_reports_and_checkpoints_on_stop(self):
        marks = os.path.join(self.tmp, "marks")
        os.makedirs(marks)
        env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "clients", "python")}
        self.cluster.start_worker("w1", env=env)
        spec = {"study": "helper", "objective": {"metric": "loss"}, "command": [sys.executable, COMMAND_TRIAL, marks],
                "space": {"opt.lr": {"low": 0.01, "high": 0.02}, "opt.name": {"values": ["adam", "sgd"]}},
                "strategy": {"name": "random"}, "budget": {"max_trials": 2, "max_concurrent": 1}, "seed": 4}
        study = self.client.submit(spec)
        wait_for(lambda: os.path.exists(os.path.join(marks, "params.json")), 30, "the trial to start")
        with open(os.path.join(marks, "params.json")) as handle:
            seen = json.load(handle)
        self.assertEqual(set(seen["params"]), {"opt.lr", "opt.name"})
        self.assertIsInstance(seen["params"]["opt.lr"], float)
        self.assertEqual(seen["trial"], 0)
        wait_for(lambda: self.client.export(study)[0]["metrics"], 30, "a report")
        self.client.cancel(study)
        wait_for(lambda: os.path.exists(os.path.join(marks, "checkpoint")), 10, "the SIGTERM callback to save a checkpoint")

    def test_the_pytorch_example_runs_a_study(self):
        python = os.environ.get("ANCHOR_PYTHON", "/opt/anchor-venv/bin/python")
        probe = subprocess.run([python, "-c", "import torch, zmq"], capture_output=True) if os.path.exists(python) else None
        if probe is None or probe.returncode != 0:
            self.skipTest(f"torch and pyzmq are not both installed for {python} (set ANCHOR_PYTHON to a Python that has them)")
        env = {**os.environ, "PYTHONPATH": os.path.join(ROOT, "clients", "python")}
        done = subprocess.run([python, EXAMPLE, "--cluster", self.cluster.cluster_file, "--key", self.cluster.key("tester", "clients"),
                               "--trials", "4", "--epochs", "3"], capture_output=True, text=True, timeout=300, env=env)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("best trial", done.stdout)
        self.assertEqual(self.client.status()[0]["state"], "completed")


def raise_inside(trial):
    return 1 / 0


if __name__ == "__main__":
    unittest.main()

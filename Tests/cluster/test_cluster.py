"""Process-level tests: the real coordinator, worker and sweep binaries on loopback, driven by
the Python client (pyzmq + the standard library, from Protocols/SWEEP-1.md).

Run by `make test` after `swift test` (which builds the binaries): python3 -m unittest discover Tests/cluster
SWEEP_BIN picks the binaries' folder (default .build/debug)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import jsonschema
import zmq

sys.path.insert(0, os.path.dirname(__file__))
from sweep_client import Client, ProtocolError, curve_client  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.environ.get("SWEEP_BIN", os.path.join(ROOT, ".build", "debug")))
TRIAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trial.py")
SCHEMAS = os.path.join(ROOT, "Protocols", "schemas")


class CheckedClient(Client):
    """The client, checking every message the coordinator sends against Protocols/schemas."""
    checked = set()

    def receive(self, timeout=10.0):
        message = super().receive(timeout)
        if message is not None:
            header, body = message
            with open(os.path.join(SCHEMAS, f"{header['type']}.json")) as handle:
                jsonschema.validate(body, json.load(handle))
            CheckedClient.checked.add(header["type"])
        return message


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quadratic_study(trials=6, concurrent=2, epochs=4, pause=0.05, name="quad"):
    """A study of command trials running Tests/cluster/trial.py."""
    return {
        "study": name,
        "objective": {"metric": "loss", "direction": "minimize"},
        "command": [sys.executable, TRIAL, "{x}", str(epochs), str(pause)],
        "space": {"x": {"low": 0.0, "high": 1.0}},
        "strategy": {"name": "sobol"},
        "budget": {"max_trials": trials, "max_concurrent": concurrent},
        "seed": 3,
    }


def sweep_cli(*args):
    return subprocess.run([os.path.join(BIN, "sweep"), *args], capture_output=True, text=True, timeout=30)


class Cluster:
    """A coordinator (fast heartbeats: 0.25 s × 4, lease grace 1.5 s unless given) and workers on
    loopback, with CURVE as in production: keys from `sweep keygen`, the client's from pyzmq."""

    def __init__(self, directory, lease_grace=1.5):
        self.lease_grace = lease_grace
        self.directory = directory
        self.keys = os.path.join(directory, "keys")
        for name, folder in [("coordinator", ""), ("w1", "workers"), ("w2", "workers"), ("intruder", "other")]:
            made = sweep_cli("keygen", name, "--dir", os.path.join(self.keys, folder))
            assert made.returncode == 0, made.stderr
        import zmq.auth
        os.makedirs(os.path.join(self.keys, "clients"))
        zmq.auth.create_certificates(os.path.join(self.keys, "clients"), "tester")
        self.store = os.path.join(directory, "sweep.sqlite")
        self.workers_endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.clients_endpoint = f"tcp://127.0.0.1:{free_port()}"
        self.coordinator = None
        self.workers = {}
        self.logs = []

    def _log(self, name):
        handle = open(os.path.join(self.directory, f"{name}.log"), "ab")
        self.logs.append(handle)
        return handle

    def start_coordinator(self, *extra):
        self.coordinator = subprocess.Popen(
            [os.path.join(BIN, "coordinator"), "--workers", self.workers_endpoint, "--clients", self.clients_endpoint,
             "--store", self.store, "--heartbeat", "0.25", "--liveness", "4", "--lease-grace", str(self.lease_grace),
             "--key", self.key("coordinator"), "--workers-allow", os.path.join(self.keys, "workers"),
             "--clients-allow", os.path.join(self.keys, "clients"), "--cluster-file", self.cluster_file, *extra],
            stderr=self._log("coordinator"))
        wait_for(lambda: os.path.exists(self.cluster_file), 10, "the cluster file")

    @property
    def cluster_file(self):
        return os.path.join(self.directory, "cluster.yaml")

    def key(self, name, folder=""):
        return os.path.join(self.keys, folder, f"{name}.key_secret")

    def start_worker(self, name, key=None, env=None):
        self.workers[name] = subprocess.Popen(
            [os.path.join(BIN, "worker"), "--cluster", self.cluster_file, "--key", key or self.key(name, "workers"), "--name", name],
            stderr=self._log(name), env=env)

    def client(self, certificate=None):
        return CheckedClient(self.clients_endpoint, certificate=certificate or self.key("tester", "clients"),
                             server_certificate=os.path.join(self.keys, "coordinator.key"))

    def sweep(self, *args, key=None):
        return sweep_cli(*args, "--cluster", self.cluster_file, "--key", key or self.key("tester", "clients"))

    def stop(self):
        for process in [self.coordinator, *self.workers.values()]:
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [self.coordinator, *self.workers.values()]:
            if process:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    raise AssertionError(f"{process.args[0]} did not exit within 10 s of SIGTERM")
        for handle in self.logs:
            handle.close()

    def log(self, name):
        with open(os.path.join(self.directory, f"{name}.log"), errors="replace") as handle:
            return handle.read()


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class ClusterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sweep-cluster-")
        self.cluster = Cluster(self.tmp)
        self.cluster.start_coordinator()
        self.client = self.cluster.client()

    def tearDown(self):
        self.client.close()
        try:
            self.cluster.stop()
        finally:
            failed = any(error for _, error in self._outcome.result.errors + self._outcome.result.failures if _ is self)
            if failed or os.environ.get("SWEEP_KEEP_LOGS"):
                print(f"\nlogs of {self.id()} kept in {self.tmp}")
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def trials(self, study):
        return self.client.export(study)["trials"]

    def test_python_client_submits_follows_and_exports_a_study_of_command_trials(self):
        for name in ("w1", "w2"):
            self.cluster.start_worker(name)
        study = self.client.submit(quadratic_study())
        rows, status, updates = self.client.follow(study, top=3)
        self.assertEqual(status["state"], "completed")
        self.assertEqual((status["trials"], status["completed"]), (6, 6))
        self.assertGreater(updates, 0, "the coordinator pushed updates")
        objectives = [row["objective"] for row in rows]
        self.assertEqual(len(rows), 3)
        self.assertEqual(objectives, sorted(objectives), "ranked best first")
        self.assertEqual(status["best"], rows[0]["trial"])
        trials = self.trials(study)
        self.assertEqual(sorted(t["trial"] for t in trials), list(range(6)))
        for t in trials:
            self.assertEqual(t["status"], "completed")
            self.assertEqual([m["epoch"] for m in t["metrics"]], [1, 2, 3, 4])
            x = t["config"]["x"]
            self.assertAlmostEqual(t["value"], (x - 0.3) ** 2 + 0.25, places=9)
        self.assertEqual({t["worker"] for t in trials}, {"w1", "w2"}, "both workers ran trials")
        # The same through the CLI.
        def sweep(*args):
            run = self.cluster.sweep(*args)
            self.assertEqual(run.returncode, 0, run.stderr)
            return run.stdout
        lines = sweep("export", study, "--format", "csv").splitlines()
        self.assertEqual(len(lines), 1 + 6 * 4, "a header, then one row per trial and epoch")
        self.assertTrue(lines[0].startswith("trial,status,attempt,worker,value,stop_rule,stop_detail,param.x,epoch,loss"))
        board = sweep("leaderboard", study, "--top", "2")
        self.assertIn("completed, 6/6 trials done", board)
        self.assertEqual(board.splitlines()[2].split()[1], str(rows[0]["trial"]), "the best trial is ranked first")
        self.assertIn("w1", sweep("workers"))

    def test_a_killed_worker_s_trial_completes_on_another_worker_once(self):
        self.cluster.start_worker("w1")
        study = self.client.submit(quadratic_study(trials=2, concurrent=1, epochs=6, pause=0.3))
        # w1 alone gets trial 0; once it has reported, w2 joins (idle: the study allows one at a time).
        wait_for(lambda: any(t["metrics"] for t in self.trials(study)), 20, "a first report")
        self.cluster.start_worker("w2")
        time.sleep(0.5)
        self.cluster.workers["w1"].kill()
        rows, status, _ = self.client.follow(study, timeout=60)
        self.assertEqual(status["state"], "completed")
        trials = self.trials(study)
        self.assertEqual(sorted(t["trial"] for t in trials), [0, 1], "each trial appears once")
        first = next(t for t in trials if t["trial"] == 0)
        self.assertEqual((first["status"], first["attempt"], first["worker"]), ("completed", 2, "w2"))
        self.assertEqual([m["epoch"] for m in first["metrics"]], [1, 2, 3, 4, 5, 6], "only the finishing attempt's reports count")

    def test_a_restarted_coordinator_keeps_finished_trials_and_the_worker_keeps_its_running_trial(self):
        self.cluster.lease_grace = 20  # the restart is shorter than the lease: the worker keeps its trial
        self.cluster.coordinator.kill()
        self.cluster.coordinator.wait()
        self.cluster.start_coordinator()
        self.cluster.start_worker("w1")
        study = self.client.submit(quadratic_study(trials=2, concurrent=1, epochs=8, pause=0.4))
        wait_for(lambda: any(len(t["metrics"]) >= 2 for t in self.trials(study)), 20, "two reports")
        self.cluster.coordinator.kill()
        self.cluster.coordinator.wait()
        time.sleep(1.0)  # the worker trains on, its reports wait in its outbox
        self.cluster.start_coordinator()
        self.client.close()
        self.client = self.cluster.client()
        rows, status, _ = self.client.follow(study, timeout=60)
        self.assertEqual(status["state"], "completed")
        trials = {t["trial"]: t for t in self.trials(study)}
        self.assertEqual(sorted(trials), [0, 1])
        self.assertEqual((trials[0]["status"], trials[0]["attempt"]), ("completed", 1), "continued, not restarted")
        self.assertEqual([m["epoch"] for m in trials[0]["metrics"]], list(range(1, 9)), "every report once, none lost")
        self.assertIn("restarted coordinator", self.cluster.log("w1"))

    def test_cancel_stops_a_silent_command_trial_at_once(self):
        self.cluster.start_worker("w1")
        study = self.client.submit(quadratic_study(trials=1, concurrent=1, epochs=1, pause=60))
        wait_for(lambda: any(t["status"] == "running" for t in self.trials(study)), 20, "the trial to start")
        time.sleep(0.5)
        self.client.request("CANCEL", {"study": study})
        trial = wait_for(lambda: next((t for t in self.trials(study) if t["status"] == "cancelled"), None), 10,
                         "the trial to stop (it prints nothing for 60 s)")
        self.assertEqual(trial["metrics"], [])
        self.assertEqual(self.client.status(study)[0]["state"], "cancelled")

    def test_a_worker_whose_key_is_not_listed_never_gets_a_trial_until_the_list_is_reloaded(self):
        self.cluster.start_worker("intruder", key=self.cluster.key("intruder", "other"))
        study = self.client.submit(quadratic_study(trials=2, concurrent=1))
        time.sleep(2)
        self.assertEqual([t["status"] for t in self.trials(study)], [], "no trial was assigned")
        self.assertIn("refused this worker's key", self.cluster.log("intruder"))
        self.assertEqual(self.client.request("WORKERS")[1]["workers"], [])
        # Listed, then SIGHUP: the coordinator admits it on its next attempt.
        shutil.copy(os.path.join(self.cluster.keys, "other", "intruder.key"), os.path.join(self.cluster.keys, "workers"))
        self.cluster.coordinator.send_signal(signal.SIGHUP)
        rows, status, _ = self.client.follow(study, timeout=90)
        self.assertEqual(status["state"], "completed")
        self.assertEqual({t["worker"] for t in self.trials(study)}, {"intruder"})

    def test_a_client_with_a_worker_key_cannot_submit(self):
        spec = os.path.join(self.tmp, "spec.json")
        with open(spec, "w") as handle:
            json.dump(quadratic_study(), handle)
        refused = self.cluster.sweep("submit", spec, key=self.cluster.key("w1", "workers"))
        self.assertEqual(refused.returncode, 1)
        self.assertIn("refused this client's key", refused.stderr)
        plain = sweep_cli("status", "--coordinator", self.cluster.clients_endpoint, "--insecure")
        self.assertNotEqual(plain.returncode, 0)
        self.assertIn("handshake", plain.stderr)
        self.assertEqual(self.client.status(), [], "nothing was stored")

    def test_insecure_mode_is_refused_off_loopback_and_keys_are_required_by_default(self):
        for args, expected in [
            (["--insecure", "--workers", "tcp://0.0.0.0:5999"], "loopback"),
            (["--workers", f"tcp://127.0.0.1:{free_port()}", "--clients", f"tcp://127.0.0.1:{free_port()}"], "sweep keygen"),
        ]:
            run = subprocess.run([os.path.join(BIN, "coordinator"), *args, "--store", os.path.join(self.tmp, "x.sqlite")],
                                 capture_output=True, text=True, timeout=30)
            self.assertNotEqual(run.returncode, 0)
            self.assertIn(expected, run.stderr)
        public = open(os.path.join(self.cluster.keys, "workers", "w1.key")).read()
        self.assertIn("public-key", public)
        self.assertEqual(oct(os.stat(self.cluster.key("w1", "workers")).st_mode & 0o777), "0o600")
        self.assertEqual(oct(os.stat(os.path.join(self.cluster.keys, "workers", "w1.key")).st_mode & 0o777), "0o644")

    def test_bad_messages_get_error_replies_and_the_coordinator_keeps_serving(self):
        raw = zmq.Context.instance().socket(zmq.DEALER)
        raw.setsockopt(zmq.LINGER, 0)
        curve_client(raw, self.cluster.key("w1", "workers"), os.path.join(self.cluster.keys, "coordinator.key"))
        raw.connect(self.cluster.workers_endpoint)
        cases = [
            ([b"junk"], "bad_request"),
            ([b"SWEEP/9", b"{}", b"{}"], "unsupported_protocol"),
            ([b"SWEEP/1", b'{"type": "DANCE", "id": "1"}', b"{}"], "unknown_type"),
            ([b"SWEEP/1", b"not json", b"{}"], "bad_request"),
            ([b"SWEEP/1", b'{"type": "HELLO", "id": "2"}', b'{"worker": 7}'], "bad_request"),
            ([b"SWEEP/1", b'{"type": "METRIC", "id": "3"}', b'{"trial": 1, "attempt": 1, "seq": 1, "epoch": 1, "metrics": {}}'], "unknown_peer"),
        ]
        for frames, code in cases:
            raw.send_multipart(frames)
            self.assertTrue(raw.poll(5000), f"no reply to {frames}")
            reply = raw.recv_multipart()
            self.assertEqual(json.loads(reply[1])["type"], "ERROR")
            self.assertEqual(json.loads(reply[2])["code"], code, frames)
        raw.close()
        # The client endpoint too, then a normal request.
        self.client.socket.send_multipart([b"SWEEP/1", b'{"type": "SUBMIT", "id": "4"}', b"[1, 2]"])
        self.assertEqual(self.client.receive(5)[1]["code"], "bad_request")
        self.assertEqual(self.client.status(), [])
        self.assertIsNone(self.cluster.coordinator.poll(), "still running")

    def test_an_invalid_spec_is_rejected_with_its_paths_and_nothing_is_stored(self):
        spec = quadratic_study()
        spec["space"]["x"] = {"low": 0, "high": 1, "log": True}
        spec["budgett"] = 3
        with self.assertRaises(ProtocolError) as caught:
            self.client.submit(spec)
        self.assertEqual(caught.exception.body["code"], "invalid_spec")
        self.assertEqual(sorted(p["path"] for p in caught.exception.body["problems"]), ["budgett", "space.x.low"])
        # The CLI checks locally first and prints every problem with its path.
        path = os.path.join(self.tmp, "bad.json")
        with open(path, "w") as handle:
            json.dump(spec, handle)
        cli = self.cluster.sweep("submit", path)
        self.assertNotEqual(cli.returncode, 0)
        self.assertIn("budgett", cli.stderr)
        self.assertIn("space.x.low", cli.stderr)
        self.assertEqual(self.client.status(), [], "nothing stored")


if __name__ == "__main__":
    unittest.main()

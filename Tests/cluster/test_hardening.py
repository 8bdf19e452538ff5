"""Process-level tests of what must hold under faults: worker lifecycle (a trial's program stops
before its worker says BYE, and dies with a worker killed outright), attempts that only grow when a
trial really restarts, and one coordinator per store."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_cluster import BIN, Cluster, quadratic_study, wait_for  # noqa: E402

SIGNALS_TRIAL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "trial_signals.py")


def alive(pid):
    """Running, not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


class HardeningTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sweep-hardening-")
        self.cluster = Cluster(self.tmp, lease_grace=30)
        self.cluster.start_coordinator()
        self.client = self.cluster.client()

    def tearDown(self):
        self.client.close()
        self.cluster.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def signals_study(self, directory):
        return {"study": "signals", "objective": {"metric": "loss"}, "command": [sys.executable, SIGNALS_TRIAL, directory],
                "space": {"x": {"low": 0.0, "high": 1.0}}, "strategy": {"name": "random"},
                "budget": {"max_trials": 1, "max_concurrent": 1}}

    def running_program(self, directory):
        path = os.path.join(directory, "pids")
        wait_for(lambda: os.path.exists(path), 30, "the trial's program to start")
        with open(path) as handle:
            return [int(pid) for pid in handle.read().split()]

    def test_sigterm_stops_the_program_first_and_its_handler_runs_then_the_trial_is_given_back(self):
        traces = os.path.join(self.tmp, "traces")
        os.makedirs(traces)
        self.cluster.start_worker("w1")
        study = self.client.submit(self.signals_study(traces))
        program, child = self.running_program(traces)
        worker = self.cluster.workers["w1"]
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
        self.assertTrue(os.path.exists(os.path.join(traces, "checkpoint")), "the program's SIGTERM handler ran")
        self.assertFalse(alive(program) or alive(child), "nothing of the trial outlives its worker")
        # The trial was given back (BYE), not finished: it is queued for the next worker.
        trial = self.client.export(study)["trials"][0]
        self.assertEqual((trial["status"], trial["attempt"]), ("queued", 1))
        self.assertIn("left", self.cluster.sweep("workers").stdout)

    def test_a_worker_killed_outright_takes_its_program_and_the_program_s_children_with_it(self):
        traces = os.path.join(self.tmp, "traces")
        os.makedirs(traces)
        self.cluster.start_worker("w1")
        self.client.submit(self.signals_study(traces))
        program, child = self.running_program(traces)
        self.cluster.workers["w1"].kill()
        self.cluster.workers["w1"].wait()
        wait_for(lambda: not alive(program) and not alive(child), 5, "the program and its child to die with the worker")

    def test_a_study_without_faults_runs_every_trial_once(self):
        self.cluster.start_worker("w1")
        self.cluster.start_worker("w2")
        study = self.client.submit(quadratic_study(trials=16, concurrent=2, epochs=2, pause=0.01))
        rows, status, _ = self.client.follow(study, timeout=120)
        self.assertEqual(status["state"], "completed")
        attempts = {t["trial"]: t["attempt"] for t in self.client.export(study)["trials"]}
        self.assertEqual(len(attempts), 16)
        self.assertEqual(set(attempts.values()), {1}, f"attempts grew without a fault: {attempts}")

    def test_a_spec_over_the_message_limit_is_refused_with_its_size_and_the_coordinator_serves_on(self):
        spec = quadratic_study()
        spec["space"] = {"x": {"values": [f"value-{i:07d}" for i in range(120_000)]}}  # about 1.8 MB of JSON
        path = os.path.join(self.tmp, "big.json")
        with open(path, "w") as handle:
            json.dump(spec, handle)
        refused = self.cluster.sweep("submit", path)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("too_large", refused.stderr)
        self.assertRegex(refused.stderr, r"the message is \d+ bytes, \d+ over the 1048576 bytes")
        self.assertEqual(self.cluster.sweep("status").returncode, 0, "the coordinator serves on")

    def test_a_study_whose_trials_all_crash_fails_early_and_says_why_and_the_traceback_is_one_command_away(self):
        self.cluster.start_worker("w1")
        crash = "import sys; print('loading data.csv', flush=True); sys.exit('FileNotFoundError: data.csv')"
        study = self.client.submit({"study": "crash", "objective": {"metric": "loss"}, "command": [sys.executable, "-c", crash, "{x}"],
                                    "space": {"x": {"low": 0.0, "high": 1.0}}, "budget": {"max_trials": 20, "max_concurrent": 1}})
        rows, status, _ = self.client.follow(study, timeout=60)
        self.assertEqual(status["state"], "failed")
        self.assertEqual(status["reason"], "the first 3 trials all failed: exit status 1")
        self.assertEqual(len(self.client.export(study)["trials"]), 3, "it stopped after three, not twenty")
        shown = self.cluster.sweep("status", study).stdout
        self.assertIn("failed: the first 3 trials all failed: exit status 1", shown)
        self.assertIn("error: exit status 1", self.cluster.sweep("leaderboard", study).stdout, "each trial's reason in the table")
        logs = self.cluster.sweep("logs", study, "0")
        self.assertEqual(logs.returncode, 0, logs.stderr)
        self.assertIn("loading data.csv", logs.stdout)
        self.assertIn("FileNotFoundError: data.csv", logs.stderr, "stderr lines go to stderr")

    def test_a_second_coordinator_on_the_same_store_refuses_to_start_and_names_the_first(self):
        second = subprocess.run(
            [os.path.join(BIN, "coordinator"), "--store", self.cluster.store, "--insecure",
             "--workers", "tcp://127.0.0.1:0", "--clients", "tcp://127.0.0.1:0"],
            capture_output=True, text=True, timeout=30)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn(f"pid {self.cluster.coordinator.pid}", second.stderr)
        self.assertIn("one coordinator per store", second.stderr)


class FullDiskTest(unittest.TestCase):
    """The store on a small tmpfs that fills up mid-study, then gets room again."""

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a small tmpfs for the store")
        self.tmp = tempfile.mkdtemp(prefix="sweep-disk-")
        self.disk = os.path.join(self.tmp, "disk")
        os.makedirs(self.disk)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", self.disk], capture_output=True, text=True)
        if mounted.returncode != 0:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.skipTest(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
        self.cluster = Cluster(self.tmp, lease_grace=30)
        self.cluster.store = os.path.join(self.disk, "sweep.sqlite")

    def tearDown(self):
        self.cluster.stop()
        subprocess.run(["umount", "-l", self.disk])
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fill(self):
        """Writes until the disk is full; returns the file that fills it."""
        path = os.path.join(self.disk, "fill")
        with open(path, "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        return path

    def test_a_full_disk_loses_nothing_acknowledged_and_the_study_completes_once_there_is_room(self):
        self.cluster.start_coordinator()
        self.cluster.start_worker("w1")
        self.cluster.start_worker("w2")
        epochs = 12
        client = self.cluster.client()
        study = client.submit(quadratic_study(trials=8, concurrent=2, epochs=epochs, pause=0.1))
        wait_for(lambda: sum(len(t["metrics"]) for t in client.export(study)["trials"]) >= 6, 30, "some reports")
        client.close()
        fill = self.fill()
        time.sleep(3)  # reports keep coming; none of them can be stored
        exited = self.cluster.coordinator.poll()
        os.remove(fill)
        if exited is not None:
            # It stopped rather than acknowledge what it could not store; its supervisor (here,
            # the test) starts it again from the store.
            self.assertNotEqual(exited, 0)
            self.assertIn("store commit failed", self.cluster.log("coordinator"))
            self.cluster.start_coordinator()
        client = self.cluster.client()
        rows, status, _ = client.follow(study, timeout=120)
        self.assertEqual(status["state"], "completed")
        trials = {t["trial"]: t for t in client.export(study)["trials"]}
        client.close()
        self.assertEqual(sorted(trials), list(range(8)), "no trial number is missing")
        for number, trial in trials.items():
            self.assertEqual(trial["status"], "completed", f"trial {number}")
            self.assertEqual([m["epoch"] for m in trial["metrics"]], list(range(1, epochs + 1)),
                             f"trial {number}: every report of its finishing attempt is stored, once")


if __name__ == "__main__":
    unittest.main()

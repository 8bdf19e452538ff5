"""Process-level tests of a study's life, driven from the shell as a user does: enqueue, extend,
retry, warm start from an export, rename, note, delete, and a worker whose machine cannot run the
trials being quarantined while the study completes on the others."""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from test_cluster import BIN, Cluster, TRIAL, quadratic_study, sweep_cli, wait_for  # noqa: E402


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sweep-life-")
        self.cluster = Cluster(self.tmp, lease_grace=30)
        self.cluster.start_coordinator()

    def tearDown(self):
        self.cluster.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def sweep(self, *args, ok=True):
        done = self.cluster.sweep(*args)
        if ok:
            self.assertEqual(done.returncode, 0, f"sweep {' '.join(args)}: {done.stderr}")
        return done

    def submit(self, spec, *args):
        path = os.path.join(self.tmp, f"{spec['study']}.json")
        with open(path, "w") as handle:
            json.dump(spec, handle)
        done = self.sweep("submit", path, *args)
        return done.stdout.strip(), done.stderr

    def status(self, study):
        return json.loads(self.sweep("status", study, "--json").stdout)["studies"][0]

    def exported(self, study):
        return json.loads(self.sweep("export", study, "--format", "json").stdout)

    def wait_state(self, study, state, timeout=60):
        wait_for(lambda: self.status(study)["state"] == state, timeout, f"{study} to be {state}")

    def test_enqueue_extend_note_rename_warm_start_and_delete_from_the_shell(self):
        self.cluster.start_worker("w1")
        study, _ = self.submit(quadratic_study(trials=3, concurrent=1, epochs=2, pause=0.01))
        self.wait_state(study, "completed")

        refused = self.sweep("enqueue", study, "x=0.3", ok=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("sweep extend", refused.stderr)

        # With no worker up, the enqueued trials are the next ones (an idle worker would take a
        # suggestion the moment the study has budget again).
        self.cluster.workers["w1"].terminate()
        self.cluster.workers["w1"].wait(10)
        # Its goodbye and the extend below come on different sockets: wait until the coordinator
        # has let it go, or a busy machine can hand it (gone) the first new trial.
        gone = lambda: all(w["state"] in ("left", "lost") for w in json.loads(self.sweep("workers", "--json").stdout)["workers"])
        wait_for(gone, 30, "the coordinator to let w1 go")
        self.assertIn("running", self.sweep("extend", study, "--trials", "3").stdout)
        outside = self.sweep("enqueue", study, "x=2", ok=False)
        self.assertIn("trials[0].x is outside the space: 2 is not in [0, 1]", outside.stderr)
        self.assertIn("queued as trial", self.sweep("enqueue", study, "x=0.3").stdout)
        self.assertIn("queued as trial", self.sweep("enqueue", study, "x=1.5", "--allow-outside").stdout)
        self.cluster.start_worker("w1")
        self.wait_state(study, "completed")
        trials = self.exported(study)["trials"]
        self.assertEqual(len(trials), 6)
        origins = {t["trial"]: (t["origin"], t["config"]["x"]) for t in trials}
        self.assertEqual(origins[3], ("enqueued", 0.3))
        self.assertEqual(origins[4], ("outside", 1.5))
        self.assertEqual(self.status(study)["best"], 3, "the enqueued x = 0.3 is the optimum of (x − 0.3)²")

        self.sweep("rename", study, "quad-baseline")
        self.sweep("note", study, "x near 0.3 is best", "--tag", "baseline")
        line = self.sweep("status", study).stdout
        self.assertIn("quad-baseline", line)
        self.assertIn("note: x near 0.3 is best", line)
        self.assertIn("[baseline]", line)

        csv = os.path.join(self.tmp, "old.csv")
        self.sweep("export", study, "--format", "csv", "--output", csv)
        narrower = quadratic_study(trials=2, name="narrow")
        narrower["space"]["x"]["high"] = 0.5
        second, said = self.submit(narrower, "--warm-start", csv)
        inside = sum(1 for t in trials if t["config"]["x"] <= 0.5)
        self.assertIn(f"warm start: {inside} trial{'s' if inside != 1 else ''} taken from {csv}", said)
        self.assertIn(f"{6 - inside} left out: x is outside the space", said)
        self.assertEqual(self.status(second)["warm"], inside)

        asked = self.sweep("delete", study, ok=False)
        self.assertIn("add --yes", asked.stderr)
        self.assertEqual(self.status(study)["study"], study, "nothing was deleted")
        self.assertIn(f"deleted {study}", self.sweep("delete", study, "--yes").stdout)
        self.assertNotIn(study, self.sweep("status").stdout)

    def test_advise_reads_a_study_and_writes_a_next_spec_that_submits_unchanged(self):
        self.cluster.start_worker("w1")
        spec = quadratic_study(trials=8, concurrent=1, epochs=2, pause=0.01, name="bounded")
        spec["space"]["x"]["high"] = 0.2  # the optimum of (x − 0.3)² lies above the range
        study, _ = self.submit(spec)
        self.wait_state(study, "completed")
        next_spec = os.path.join(self.tmp, "next.yaml")
        said = self.sweep("advise", study, "--next", next_spec).stdout
        self.assertIn(f"{study} bounded: 8 trials, minimize loss", said)
        self.assertIn("[at_bound] x's best values sit at the upper bound of its range [0, 0.2]", said)
        self.assertIn(f"next study written to {next_spec}", said)
        with open(next_spec) as handle:
            text = handle.read()
        self.assertIn("# range → [", text)
        self.assertIn(f'warm_start: "{study}"', text)
        second, warm = self.submit_file(next_spec)
        self.assertIn("warm start: ", warm)
        status = self.status(second)
        self.assertEqual(status["name"], "bounded-next")
        self.assertGreater(status["warm"], 0)

    def test_a_spec_s_enqueue_runs_first_on_the_cluster_and_a_bad_one_is_refused_at_submit(self):
        self.cluster.start_worker("w1")
        spec = quadratic_study(trials=4, concurrent=1, epochs=2, pause=0.01, name="points")
        spec["enqueue"] = [{"x": 0.3}, {"x": 0.05}]
        study, _ = self.submit(spec)
        self.wait_state(study, "completed")
        trials = sorted(self.exported(study)["trials"], key=lambda t: t["trial"])
        trials = [t for t in trials if not t.get("final")]
        self.assertEqual([t["config"]["x"] for t in trials[:2]], [0.3, 0.05])
        self.assertEqual([t["origin"] for t in trials], ["enqueued", "enqueued", "suggested", "suggested"])
        bad = dict(spec, study="bad-points", enqueue=[{"x": 1.5}])
        path = os.path.join(self.tmp, "bad-points.json")
        with open(path, "w") as handle:
            json.dump(bad, handle)
        refused = self.sweep("submit", path, ok=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("enqueue[0].x", refused.stderr)

    def test_a_local_study_is_advised_from_its_export_and_the_next_spec_runs_here_or_on_the_cluster(self):
        spec = quadratic_study(trials=8, concurrent=1, epochs=2, pause=0.01, name="local")
        spec["space"]["x"]["high"] = 0.2  # the optimum of (x − 0.3)² lies above the range
        rounds = os.path.join(self.tmp, "rounds")
        os.makedirs(rounds)
        first = os.path.join(rounds, "spec.json")
        with open(first, "w") as handle:
            json.dump(spec, handle)
        exported = os.path.join(rounds, "round1.json")
        ran = sweep_cli("run", first, "--export", exported)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertIn(f"trials written to {exported}", ran.stdout)
        with open(exported) as handle:
            trials = json.load(handle)["trials"]
        self.assertEqual(len(trials), 8)
        self.assertTrue(all(t["metrics"] and t["status"] == "completed" for t in trials))
        # Advised from the file, without the coordinator; the next spec names it beside itself.
        next_spec = os.path.join(rounds, "round2.yaml")
        said = sweep_cli("advise", exported, "--next", next_spec)
        self.assertEqual(said.returncode, 0, said.stderr)
        self.assertIn("[at_bound] x's best values sit at the upper bound of its range [0, 0.2]", said.stdout)
        with open(next_spec) as handle:
            self.assertIn('warm_start: "round1.json"', handle.read())
        # The dashboard's page for it, with the diagnosis, made from the file too.
        page = os.path.join(rounds, "round1.html")
        made = sweep_cli("report", exported, "-o", page)
        self.assertEqual(made.returncode, 0, made.stderr)
        with open(page) as handle:
            html = handle.read()
        self.assertIn('"rule":"at_bound"', html.replace(" ", ""))
        self.assertIn('"completed":8', html.replace(" ", ""))
        # Run here from another folder: the export is found beside the spec.
        second = subprocess.run([os.path.join(BIN, "sweep"), "run", next_spec], capture_output=True, text=True, timeout=60, cwd="/")
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertRegex(second.stdout, r"warm start: [1-8] trials? taken from " + re.escape(exported))
        # Submitted unchanged: the coordinator is sent the file's trials.
        study, warm = self.submit_file(next_spec)
        self.assertIn(f"warm start: ", warm)
        self.assertIn("round1.json", warm)
        self.assertGreater(self.status(study)["warm"], 0)

    def test_importance_ranks_the_parameter_that_matters_first(self):
        self.cluster.start_worker("w1")
        spec = quadratic_study(trials=12, concurrent=1, epochs=1, pause=0.0, name="two")
        spec["space"]["y"] = {"low": 0.0, "high": 1.0}  # the trial ignores it
        spec["strategy"] = {"name": "random"}
        study, _ = self.submit(spec)
        self.wait_state(study, "completed")
        lines = self.sweep("importance", study).stdout.splitlines()
        self.assertIn("importance of each parameter for loss (12 completed trials, top 10%)", lines[0])
        self.assertTrue(lines[1].split()[0] == "x" and lines[2].split()[0] == "y", lines)
        self.assertGreater(float(lines[1].split()[1]), float(lines[2].split()[1]))

    def submit_file(self, path):
        done = self.sweep("submit", path)
        return done.stdout.strip(), done.stderr

    def test_failed_trials_run_again_by_retry_and_by_max_failures_keeping_every_attempt(self):
        self.cluster.start_worker("w1")
        marks = os.path.join(self.tmp, "marks")
        os.makedirs(marks)
        # Each trial fails its first run (exit 3) and succeeds the next.
        flaky = quadratic_study(trials=2, concurrent=1, epochs=2, pause=0.01, name="flaky")
        flaky["command"] = ["sh", "-c", f"test -e {marks}/$0-{{trial}} || {{ touch {marks}/$0-{{trial}}; exit 3; }}; exec {sys.executable} {TRIAL} {{x}} 2 0",
                            "a"]
        flaky["budget"]["fail_fast"] = 0
        study, _ = self.submit(flaky)
        self.wait_state(study, "completed")
        self.assertEqual([t["status"] for t in self.exported(study)["trials"]], ["failed", "failed"])
        self.assertIn("queued to run again", self.sweep("retry", study, "--failed").stdout)
        self.wait_state(study, "completed")
        trials = self.exported(study)["trials"]
        self.assertEqual([(t["status"], t["attempt"]) for t in trials], [("completed", 2), ("completed", 2)])
        self.assertEqual([a["outcome"] for a in trials[0]["attempts"]], ["failed", "completed"])
        self.assertEqual(trials[0]["attempts"][0]["stop_reason"]["detail"], "exit status 3")

        flaky["study"], flaky["command"][-1] = "flaky-retries", "b"
        flaky["retries"] = {"max_failures": 1}
        again, _ = self.submit(flaky)
        self.wait_state(again, "completed")
        self.assertEqual([(t["status"], t["attempt"]) for t in self.exported(again)["trials"]], [("completed", 2), ("completed", 2)])

    def test_a_worker_whose_machine_lacks_the_program_is_quarantined_and_the_study_completes_elsewhere(self):
        tools = os.path.join(self.tmp, "bin")
        os.makedirs(tools)
        program = os.path.join(tools, "quad-trial")
        with open(program, "w") as handle:
            handle.write(f"#!/bin/sh\nexec {sys.executable} {TRIAL} \"$@\"\n")
        os.chmod(program, os.stat(program).st_mode | stat.S_IEXEC)
        # w1's machine has the program on its PATH; w2's does not.
        self.cluster.start_worker("w1", env={**os.environ, "PATH": tools + os.pathsep + os.environ["PATH"]})
        self.cluster.start_worker("w2")
        spec = quadratic_study(trials=6, concurrent=2, epochs=2, pause=0.2, name="path")
        spec["command"][:2] = ["quad-trial"]
        study, _ = self.submit(spec)
        self.wait_state(study, "completed", timeout=90)
        trials = self.exported(study)["trials"]
        self.assertTrue(all(t["status"] == "completed" for t in trials), [t["status"] for t in trials])
        self.assertTrue(all(t["worker"] == "w1" for t in trials))
        missed = [a for t in trials for a in t["attempts"] if a.get("cause") == "worker"]
        self.assertEqual({a["worker"] for a in missed}, {"w2"})
        self.assertTrue(all(a["outcome"] == "requeued" for a in missed), "a machine's failure is not the trial's")
        self.assertEqual(len(missed), 3, "quarantined after 3 in a row, it got no more")
        workers = self.sweep("workers").stdout
        self.assertIn("w2 is quarantined: 3 trials in a row failed on this machine; the last: cannot start 'quad-trial'", workers)
        self.assertIn("released w2", self.sweep("workers", "--release", "w2").stdout)
        self.assertNotIn("quarantined", self.sweep("workers").stdout)


if __name__ == "__main__":
    unittest.main()

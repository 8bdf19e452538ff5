"""Several hosts on one machine (deploy/netns): a coordinator host, three worker hosts and a
client host in network namespaces on a private bridge, CURVE on, links cut and healed with
nftables. Needs root, iproute2 and nftables; skipped with the reason where namespaces cannot be
made (the rest of the suite still runs)."""
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
from test_cluster import BIN, ROOT, quadratic_study, sweep_cli, wait_for  # noqa: E402

NETNS = os.path.join(ROOT, "deploy", "netns", "netns.sh")
PREFIX = f"swt{os.getpid() % 10000}"
ENV = dict(os.environ, SWEEP_NETNS_PREFIX=PREFIX)
COORDINATOR, WORKERS, CLIENT = 0, (1, 2, 3), 4


def netns(*args, check=True):
    return subprocess.run([NETNS, *map(str, args)], env=ENV, check=check, capture_output=True, text=True, timeout=60)


def why_not():
    """Why namespaces cannot be used here, or None."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (make deps installs nftables)"
    probe = subprocess.run(["ip", "netns", "add", f"{PREFIX}-probe"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"ip netns add failed: {probe.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", f"{PREFIX}-probe"], capture_output=True)
    return None


REASON = why_not()


@unittest.skipIf(REASON, f"network namespaces unavailable: {REASON}")
class HostsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        netns("up", 5)

    @classmethod
    def tearDownClass(cls):
        netns("down", check=False)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sweep-hosts-")
        self.keys = os.path.join(self.tmp, "keys")
        for name, folder in [("coordinator", ""), ("w1", "workers"), ("w2", "workers"), ("w3", "workers"),
                             ("client", "clients"), ("intruder", "other")]:
            made = sweep_cli("keygen", name, "--dir", os.path.join(self.keys, folder))
            self.assertEqual(made.returncode, 0, made.stderr)
        self.processes = {}
        self.logs = []

    def tearDown(self):
        for host in (COORDINATOR, *WORKERS, CLIENT):
            netns("heal", host, check=False)
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in self.logs:
            handle.close()
        failed = any(error for test, error in self._outcome.result.errors + self._outcome.result.failures if test is self)
        if failed or os.environ.get("SWEEP_KEEP_LOGS"):
            print(f"\nlogs of {self.id()} kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, name, host, *command):
        log = open(os.path.join(self.tmp, f"{name}.log"), "ab")
        self.logs.append(log)
        self.processes[name] = subprocess.Popen([NETNS, "exec", str(host), *command], env=ENV, stderr=log)

    def log(self, name):
        with open(os.path.join(self.tmp, f"{name}.log"), errors="replace") as handle:
            return handle.read()

    @property
    def cluster(self):
        return os.path.join(self.tmp, "cluster.yaml")

    def start_coordinator(self, lease_grace):
        address = netns("addr", COORDINATOR).stdout.strip()
        self.start("coordinator", COORDINATOR, os.path.join(BIN, "coordinator"),
                   "--workers", f"tcp://{address}:5555", "--clients", f"tcp://{address}:5556",
                   "--store", os.path.join(self.tmp, "sweep.sqlite"), "--key", os.path.join(self.keys, "coordinator.key_secret"),
                   "--workers-allow", os.path.join(self.keys, "workers"), "--clients-allow", os.path.join(self.keys, "clients"),
                   "--heartbeat", "0.25", "--liveness", "4", "--lease-grace", str(lease_grace), "--cluster-file", self.cluster)
        wait_for(lambda: os.path.exists(self.cluster), 10, "the cluster file")

    def start_worker(self, name, host, key=None):
        self.start(name, host, os.path.join(BIN, "worker"), "--cluster", self.cluster, "--name", name,
                   "--key", key or os.path.join(self.keys, "workers", f"{name}.key_secret"))

    def sweep(self, *args, key=None):
        """The sweep CLI on the client host."""
        return netns("exec", CLIENT, os.path.join(BIN, "sweep"), *args, "--cluster", self.cluster,
                     "--key", key or os.path.join(self.keys, "clients", "client.key_secret"), check=False)

    def submit(self, spec):
        path = os.path.join(self.tmp, f"spec-{time.monotonic_ns()}.json")
        with open(path, "w") as handle:
            json.dump(spec, handle)
        submitted = self.sweep("submit", path)
        self.assertEqual(submitted.returncode, 0, submitted.stderr)
        return submitted.stdout.strip()

    def trials(self, study):
        exported = self.sweep("export", study, "--format", "json")
        self.assertEqual(exported.returncode, 0, exported.stderr)
        return json.loads(exported.stdout)["trials"]

    def wait_completed(self, study, timeout=90):
        def state():
            status = self.sweep("status", study, "--json")
            return status.returncode == 0 and json.loads(status.stdout)["studies"][0]["state"] == "completed"
        wait_for(state, timeout, f"study {study} to complete")
        return self.trials(study)

    def running_on(self, study, reports):
        """The worker of the first running trial with at least `reports` reports."""
        def find():
            return next((t for t in self.trials(study) if t["status"] == "running" and len(t["metrics"]) >= reports), None)
        return wait_for(find, 30, f"a running trial with {reports} reports")

    def test_a_study_runs_across_three_worker_hosts_with_curve_and_refuses_strangers(self):
        self.start_coordinator(lease_grace=5)
        for name, host in zip(("w1", "w2", "w3"), WORKERS):
            self.start_worker(name, host)
        self.start_worker("intruder", WORKERS[2], key=os.path.join(self.keys, "other", "intruder.key_secret"))
        study = self.submit(quadratic_study(trials=6, concurrent=3, epochs=3, pause=0.2))
        trials = self.wait_completed(study)
        self.assertEqual(sorted(t["trial"] for t in trials), list(range(6)))
        self.assertTrue(all(t["status"] == "completed" for t in trials))
        self.assertEqual({t["worker"] for t in trials}, {"w1", "w2", "w3"}, "every worker host ran trials; the intruder none")
        self.assertIn("refused this worker's key", self.log("intruder"))
        # A client holding a worker's key cannot act as a client.
        spec = os.path.join(self.tmp, "again.json")
        with open(spec, "w") as handle:
            json.dump(quadratic_study(), handle)
        refused = self.sweep("submit", spec, key=os.path.join(self.keys, "workers", "w1.key_secret"))
        self.assertEqual(refused.returncode, 1)
        self.assertIn("refused this client's key", refused.stderr)
        status = json.loads(self.sweep("status", "--json").stdout)["studies"]
        self.assertEqual(len(status), 1, "nothing was stored for the refused client")

    def test_a_worker_host_cut_off_past_the_grace_loses_its_trial_to_another_host(self):
        self.start_coordinator(lease_grace=1.5)
        self.start_worker("w1", WORKERS[0])
        self.start_worker("w2", WORKERS[1])
        study = self.submit(quadratic_study(trials=2, concurrent=1, epochs=8, pause=0.4))
        trial = self.running_on(study, 1)
        cut = WORKERS[0] if trial["worker"] == "w1" else WORKERS[1]
        netns("cut", cut)
        trials = self.wait_completed(study)
        netns("heal", cut)
        self.assertEqual(sorted(t["trial"] for t in trials), [0, 1], "each trial appears once")
        moved = next(t for t in trials if t["trial"] == trial["trial"])
        self.assertEqual(moved["status"], "completed")
        self.assertEqual(moved["attempt"], 2)
        self.assertNotEqual(moved["worker"], trial["worker"])
        self.assertEqual([m["epoch"] for m in moved["metrics"]], list(range(1, 9)))

    def test_a_partition_shorter_than_the_grace_keeps_the_trial_and_replays_its_reports_once(self):
        self.start_coordinator(lease_grace=10)
        self.start_worker("w1", WORKERS[0])
        study = self.submit(quadratic_study(trials=1, concurrent=1, epochs=10, pause=0.4))
        self.running_on(study, 2)
        netns("cut", WORKERS[0])
        time.sleep(3)  # past the liveness (4 × 0.25 s), within the 10 s grace; the worker trains on
        netns("heal", WORKERS[0])
        trials = self.wait_completed(study)
        self.assertEqual(len(trials), 1)
        self.assertEqual((trials[0]["status"], trials[0]["attempt"], trials[0]["worker"]), ("completed", 1, "w1"))
        self.assertEqual([m["epoch"] for m in trials[0]["metrics"]], list(range(1, 11)), "every report once, none lost")
        self.assertIn("worker lost", self.log("coordinator"), "the cut outlasted the liveness")


if __name__ == "__main__":
    unittest.main()

"""Process-level tests of `coordinator --metrics`: Prometheus text an operator's scraper reads,
with the numbers of a study that ran, and a clear refusal of a bad address."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from test_cluster import BIN, Cluster, free_port, quadratic_study, wait_for  # noqa: E402


def scrape(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.headers["Content-Type"], response.read().decode()


def listening(port):
    try:
        scrape(port)
        return True
    except OSError:
        return False


def value(text, name, **labels):
    """The sample `name{labels}` of a Prometheus text exposition, or None."""
    for line in text.splitlines():
        match = re.match(r"^([a-z_]+)(\{[^}]*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


class MetricsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sweep-metrics-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.cluster = Cluster(self.tmp, lease_grace=30)
        self.addCleanup(self.cluster.stop)

    def test_a_scrape_shows_trials_workers_reports_commits_and_latencies(self):
        port = free_port()
        self.cluster.start_coordinator("--metrics", str(port))
        wait_for(lambda: listening(port), 15, f"the metrics endpoint on port {port}\n{self.cluster.log('coordinator')}")
        self.cluster.start_worker("w1")
        client = self.cluster.client()
        self.addCleanup(client.close)
        study = client.submit(quadratic_study(trials=3, concurrent=1, epochs=2, pause=0.01))
        wait_for(lambda: client.status(study)[0]["state"] == "completed", 60, "the study to complete")
        wait_for(lambda: value(scrape(port)[1], "sweep_trials", study=study, state="completed") == 3, 10, "the gauges to catch up")
        kind, text = scrape(port)
        self.assertTrue(kind.startswith("text/plain; version=0.0.4"), kind)
        self.assertEqual(value(text, "sweep_trials", study=study, state="running"), 0)
        self.assertEqual(value(text, "sweep_queue_depth", study=study), 0)
        self.assertEqual(value(text, "sweep_workers", state="idle"), 1)
        self.assertEqual(value(text, "sweep_studies", state="completed"), 1)
        self.assertEqual(value(text, "sweep_reports_total"), 6, "3 trials × 2 epochs")
        self.assertGreater(value(text, "sweep_commits_total"), 0)
        self.assertGreater(value(text, "sweep_commit_seconds_count"), 0)
        self.assertEqual(value(text, "sweep_suggestion_seconds_count"), 3)
        self.assertIn("# HELP sweep_commit_seconds", text)

    def test_a_bad_metrics_address_is_refused_at_start_saying_what_to_give(self):
        done = subprocess.run([os.path.join(BIN, "coordinator"), "--insecure", "--metrics", "localhost:http", "--store",
                               os.path.join(self.tmp, "s.sqlite")], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("--metrics must be HOST:PORT or PORT", done.stderr)


if __name__ == "__main__":
    unittest.main()

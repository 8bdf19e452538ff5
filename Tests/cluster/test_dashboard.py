"""The dashboard as a person uses it: a coordinator, workers and `sweep dashboard` on loopback,
pages driven in Debian's headless Chromium, and what is on screen asserted (the studies list,
each plot's marks, the table's rows, a push arriving while trials report, a trial opened by a
click); `sweep report` opened offline. Screenshots go to bench-results/screenshots/."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from test_cluster import BIN, ROOT, Cluster, quadratic_study, wait_for  # noqa: E402
from webdriver import Browser, browser_missing  # noqa: E402

SHOTS = os.path.join(ROOT, "bench-results", "screenshots")
TRIALS, EPOCHS = 10, 5


def marks(browser, css):
    return int(browser.run(f"return document.querySelector({css!r}).dataset.marks"))


@unittest.skipIf(browser_missing(), browser_missing())
class DashboardTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="sweep-dashboard-")
        self.cluster = Cluster(self.directory)
        self.cluster.start_coordinator()
        for name in ("w1", "w2"):
            self.cluster.start_worker(name)
        self.dashboards = []
        self.browser = None

    def tearDown(self):
        if self.browser:
            self.browser.close()
        for d in self.dashboards:
            d.terminate()
            d.wait(10)
        self.cluster.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def dashboard(self, *extra):
        """Starts `sweep dashboard` and returns the URL it printed."""
        process = subprocess.Popen([os.path.join(BIN, "sweep"), "dashboard", "--listen", "127.0.0.1:0", "--cluster", self.cluster.cluster_file,
                                    "--key", self.cluster.key("tester", "clients"), *extra], stdout=subprocess.PIPE, text=True)
        self.dashboards.append(process)
        line = process.stdout.readline()
        self.assertTrue(line.startswith("dashboard: http://"), line)
        return line.split()[1]

    def study_over(self, client, study):
        return client.request("STATUS", {"study": study})[1]["studies"][0]["state"] == "completed"

    def test_studies_and_a_live_study_page_in_headless_chromium_then_its_report_offline(self):
        client = self.cluster.client()
        spec = quadratic_study(trials=TRIALS, concurrent=2, epochs=EPOCHS, pause=0.8, name="dash")
        study = client.submit(spec)
        url = self.dashboard()
        self.browser = browser = Browser()

        # The studies page lists the study with its state and progress.
        browser.open(url)
        browser.wait("return document.body.dataset.ready === '1'", what="the studies page")
        row = browser.run("return [...document.querySelectorAll('#studies tbody tr')].map(r => r.innerText)")
        self.assertEqual(len(row), 1)
        self.assertIn(study, row[0])
        self.assertIn("dash", row[0])
        browser.screenshot(os.path.join(SHOTS, "studies.png"))

        # The study page while trials run: drawn, then moved by pushes of the trials that report.
        browser.open(url + "study/" + study)
        browser.wait("return document.body.dataset.ready === '1'", what="the study page")
        browser.wait("return window.sweepStats.pushes >= 3", what="three live pushes")
        # Two run at once: a push holds those two and, on a busy machine, the ones that replaced
        # them in the same batch; never the whole study.
        self.assertLessEqual(browser.run("return window.sweepStats.lastTrials"), 4, "a push carries the trials that changed")
        wait_for(lambda: self.study_over(client, study), 120, "the study's end")
        browser.wait(f"return document.querySelectorAll('#trials tbody tr').length === {TRIALS}", what="every trial in the table")
        browser.wait(f"return document.querySelector('#history').dataset.marks === '{TRIALS}'", what="every trial in the history")
        self.assertEqual(marks(browser, "#curves"), TRIALS, "one curve per trial")
        self.assertEqual(marks(browser, "#parallel"), TRIALS, "one line per finished trial")
        self.assertEqual(marks(browser, "#timeline"), TRIALS, "one bar per trial")
        self.assertEqual(browser.run("return document.querySelectorAll('.slices canvas').length"), 1, "one slice per parameter")
        self.assertEqual(browser.run("return window.sweepStats.reloads"), 0, "no push was lost")
        browser.wait("return document.querySelector('#importance tr[data-parameter=\"x\"]') !== null", what="the importance of x")
        browser.wait("return !document.querySelector('#diagnosis').innerText.includes('Reading')", what="the diagnosis")

        # Sorted by the objective (minimize: best first): the first row is the best trial.
        best = client.request("STATUS", {"study": study})[1]["studies"][0]["best"]
        self.assertEqual(browser.run("return document.querySelector('#trials tbody tr').dataset.trial"), str(best))
        browser.screenshot(os.path.join(SHOTS, "study.png"))

        # A click opens the trial: its metrics by epoch and its output, from the worker that ran it.
        browser.click(f"#trials tbody tr[data-trial='{best}']")
        browser.wait("return document.querySelectorAll('#trial-metrics tbody tr').length > 0", what="the trial's metrics")
        self.assertEqual(browser.run("return document.querySelectorAll('#trial-metrics tbody tr').length"), EPOCHS)
        browser.wait("return document.querySelector('#detail pre') !== null", what="the trial's output")
        self.assertIn("done", browser.run("return document.querySelector('#detail pre').innerText"))
        browser.screenshot(os.path.join(SHOTS, "trial.png"))
        browser.click("#detail .close")

        # Brushing the objective's axis keeps the trials inside the range, in the table too.
        shown = browser.run("""
            const c = document.querySelector('#parallel'), r = c.getBoundingClientRect(), x = r.left + r.width - 60;
            const at = (type, y) => c.dispatchEvent(new MouseEvent(type, {clientX: x, clientY: r.top + y, bubbles: true}));
            at('mousedown', r.height - 40); at('mousemove', r.height - 120);
            window.dispatchEvent(new MouseEvent('mouseup', {clientX: x, clientY: r.top + r.height - 120}));
            return document.querySelectorAll('#trials tbody tr').length;""")
        self.assertGreater(shown, 0)
        self.assertLess(shown, TRIALS, "the brush keeps only the trials in its range")
        self.assertEqual(int(browser.run("return document.querySelector('#parallel').dataset.shown")), shown)

        # The report: the same page from one file, offline, asking for nothing.
        report = os.path.join(self.directory, "report.html")
        run = self.cluster.sweep("report", study, "-o", report)
        self.assertEqual(run.returncode, 0, run.stderr)
        browser.open("file://" + report)
        browser.wait("return document.body.dataset.ready === '1'", what="the report")
        self.assertEqual(marks(browser, "#history"), TRIALS)
        self.assertEqual(marks(browser, "#curves"), TRIALS)
        self.assertEqual(browser.run("return document.querySelectorAll('#trials tbody tr').length"), TRIALS)
        self.assertEqual(browser.run("return performance.getEntriesByType('resource').length"), 0, "the report loads nothing")
        with open(report) as handle:
            self.assertNotIn("http://", handle.read().replace("http://www.w3.org", ""), "no address to fetch from")
        browser.screenshot(os.path.join(SHOTS, "report.png"))

    def test_a_pareto_front_and_the_feasible_column_on_the_study_page(self):
        # loss is lowest at x = 0.3 and cost grows with x: the front is the feasible trials with
        # x ≤ 0.3; size > 0.8 breaks the constraint.
        report = "import json, sys; x = float(sys.argv[1]); print(json.dumps({'epoch': 1, 'loss': (x - 0.3) ** 2, 'cost': x, 'size': x}), flush=True)"
        spec = {
            "study": "front",
            "objective": [{"metric": "loss", "direction": "minimize"}, {"metric": "cost", "direction": "minimize"}],
            "constraints": [{"metric": "size", "max": 0.8}],
            "command": [sys.executable, "-c", report, "{x}"],
            "space": {"x": {"low": 0.0, "high": 1.0}},
            "strategy": {"name": "sobol"},
            "budget": {"max_trials": 12, "max_concurrent": 2},
            "seed": 5,
        }
        client = self.cluster.client()
        study = client.submit(spec)
        wait_for(lambda: self.study_over(client, study), 120, "the study's end")
        trials = [t for t in client.request("EXPORT", {"study": study})[1]["trials"] if not t.get("final")]
        x = {t["trial"]: t["config"]["x"] for t in trials}
        # The front worked out here, from the exported values: feasible trials no other beats on both.
        points = {t["trial"]: t["values"] for t in trials if t["status"] == "completed" and t["feasible"]}
        front = {n for n, p in points.items() if not any(q[0] <= p[0] and q[1] <= p[1] and q != p for q in points.values())}
        infeasible = {n for n in x if x[n] > 0.8}
        self.assertTrue(front and infeasible, f"the Sobol points straddle both: {x}")
        status = client.request("STATUS", {"study": study})[1]["studies"][0]
        self.assertEqual(status["front"], len(front))

        self.browser = browser = Browser()
        browser.open(self.dashboard() + "study/" + study)
        browser.wait("return document.body.dataset.ready === '1'", what="the study page")
        self.assertEqual(int(browser.run("return document.querySelector('#front').dataset.front")), len(front))
        self.assertEqual(marks(browser, "#front"), len(trials), "every trial at its two objectives")
        heads = browser.run("return [...document.querySelectorAll('#trials thead th')].map(h => h.innerText.replace(/ [▲▼]$/, ''))")
        self.assertEqual(heads[:6], ["trial", "status", "loss", "cost", "front", "feasible"])
        rows = browser.run("return [...document.querySelectorAll('#trials tbody tr')].map(r => [+r.dataset.trial, r.querySelector('td.front').innerText, r.querySelector('td.feasible').innerText])")
        self.assertEqual({n for n, on, _ in rows if on == "✓"}, front)
        self.assertEqual({n for n, _, ok in rows if ok == "no"}, infeasible)
        self.assertIn(f"{len(front)} on the Pareto front", browser.run("return document.querySelector('#summary').innerText"))
        browser.screenshot(os.path.join(SHOTS, "front.png"))

    def test_off_loopback_the_dashboard_needs_its_token(self):
        url = self.dashboard_off_loopback()
        token = url.split("?token=")[1]
        port = url.split(":")[2].split("/")[0]
        base = f"http://127.0.0.1:{port}"
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "/api/studies", timeout=5)
        self.assertEqual(refused.exception.code, 401)
        self.assertIn("token", refused.exception.read().decode())
        request = urllib.request.Request(base + "/api/studies", headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(request, timeout=5) as response:
            self.assertEqual(response.status, 200)
        with urllib.request.urlopen(base + "/?token=" + token, timeout=5) as response:
            self.assertIn("sweep_token=", response.headers["Set-Cookie"])
        with self.assertRaises(urllib.error.HTTPError) as wrong:
            urllib.request.urlopen(base + "/api/studies?token=" + "0" * len(token), timeout=5)
        self.assertEqual(wrong.exception.code, 401)

    def dashboard_off_loopback(self):
        process = subprocess.Popen([os.path.join(BIN, "sweep"), "dashboard", "--listen", "0.0.0.0:0", "--cluster", self.cluster.cluster_file,
                                    "--key", self.cluster.key("tester", "clients")], stdout=subprocess.PIPE, text=True)
        self.dashboards.append(process)
        line = process.stdout.readline()
        self.assertIn("?token=", line, "off loopback the URL carries the token")
        return line.split()[1]


if __name__ == "__main__":
    unittest.main()

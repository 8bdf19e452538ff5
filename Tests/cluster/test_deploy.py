"""deploy/: the systemd units pass systemd-analyze verify, the Kubernetes manifests render with
kustomize (or, without kubectl, parse as the expected objects), and the settings files they
ship are ones the coordinator reads."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from test_cluster import BIN, ROOT  # noqa: E402

DEPLOY = os.path.join(ROOT, "deploy")


def read(path):
    with open(path) as handle:
        return handle.read()


class DeployTest(unittest.TestCase):
    @unittest.skipIf(shutil.which("systemd-analyze") is None, "systemd-analyze is not installed")
    def test_systemd_units_verify(self):
        with tempfile.TemporaryDirectory() as directory:
            for unit in glob.glob(os.path.join(DEPLOY, "systemd", "*.service")):
                text = read(unit).replace("/usr/local/bin/", BIN + "/")
                name = os.path.basename(unit).replace("@.service", "@1.service")
                with open(os.path.join(directory, name), "w") as handle:
                    handle.write(text)
            for unit in sorted(os.listdir(directory)):
                verified = subprocess.run(["systemd-analyze", "verify", os.path.join(directory, unit)], capture_output=True, text=True)
                self.assertEqual(verified.returncode, 0, f"{unit}: {verified.stderr}")
                self.assertNotIn(unit, verified.stderr, f"systemd-analyze complained: {verified.stderr}")

    def test_kubernetes_manifests_render(self):
        k8s = os.path.join(DEPLOY, "k8s")
        if shutil.which("kubectl"):
            rendered = subprocess.run(["kubectl", "kustomize", k8s], capture_output=True, text=True)
            self.assertEqual(rendered.returncode, 0, rendered.stderr)
            objects = [o for o in yaml.safe_load_all(rendered.stdout) if o]
        else:  # no kubectl: the resources, parsed, must be the objects kustomize would combine
            kustomization = yaml.safe_load(read(os.path.join(k8s, "kustomization.yaml")))
            objects = [o for path in kustomization["resources"] for o in yaml.safe_load_all(read(os.path.join(k8s, path))) if o]
            objects.append({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "sweep-coordinator-settings"}})
        kinds = sorted(o["kind"] for o in objects)
        self.assertEqual(kinds, ["ConfigMap", "Deployment", "Namespace", "Service", "StatefulSet"])
        for o in objects:
            self.assertIn("apiVersion", o)
            self.assertTrue(o["metadata"]["name"].startswith("sweep"))
        coordinator = next(o for o in objects if o["kind"] == "StatefulSet")
        self.assertEqual(coordinator["spec"]["replicas"], 1)
        self.assertTrue(coordinator["spec"]["volumeClaimTemplates"], "the store lives on a volume")
        service = next(o for o in objects if o["kind"] == "Service")
        self.assertEqual(sorted(p["port"] for p in service["spec"]["ports"]), [5555, 5556])

    def test_shipped_settings_are_read_by_the_coordinator(self):
        for settings in [os.path.join(DEPLOY, "k8s", "settings", "coordinator.yaml"), os.path.join(DEPLOY, "systemd", "coordinator.yaml")]:
            with tempfile.TemporaryDirectory() as directory:
                run = subprocess.run([os.path.join(BIN, "coordinator"), "--config", settings, "--store", os.path.join(directory, "s.sqlite"),
                                      "--key", os.path.join(directory, "missing.key_secret")], capture_output=True, text=True, timeout=30)
            self.assertNotEqual(run.returncode, 0)
            # The file was read: what stops the coordinator is the missing key, not the settings.
            self.assertIn("missing.key_secret cannot be read", run.stderr, run.stderr)


if __name__ == "__main__":
    unittest.main()

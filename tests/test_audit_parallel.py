"""``audit --jobs N`` on a tree cut into whole and smaller batches reports what ``--jobs 1`` does.

The tree is built so that every check spanning files crosses batches: envFrom names ConfigMaps
and Secrets defined in the last files (and some never defined), IEF names and node ports repeat
across files (KI109, KI320), and documents carry ignore annotations, under a policy that ignores
and re-grades codes (the findings the parent inserts meet the policy too).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from k8s2ief.commands.audit import BATCH_FILES, TAIL_CUT, batches

FILES = 3 * BATCH_FILES + 20  # more than two workers' tail: whole batches, then cut ones

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  annotations: {annotations}
spec:
  replicas: {replicas}
  template:
    spec:
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: {port}
        envFrom:
        - configMapRef: {{name: {config}}}
        - secretRef: {{name: {secret}}}
"""
CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  {key}: "1"
"""


def write_tree(top: Path) -> Path:
    for i in range(FILES):
        folder = top / f"d{i // 40}"
        folder.mkdir(parents=True, exist_ok=True)
        text = DEPLOYMENT.format(
            name=f"app-{i % 50}",  # repeats from file 50 on: KI109 in other batches
            annotations="{k8s2ief.io/ignore: KI319}" if i % 7 == 0 else "{}",
            replicas=1 + i % 3,
            port=8000 + i % 11,  # the same node port on one node: KI320
            config=f"config-{i % 5}",  # defined in the last files only
            secret=f"secret-{i % 4}",  # secret-3 is never defined: KI310
        )
        if i >= FILES - 6:
            kind = "Secret" if i % 2 else "ConfigMap"
            name = f"{kind.lower()}-{i % 3}" if kind == "Secret" else f"config-{i % 5}"
            text += "---\n" + CONFIG_MAP.replace("ConfigMap", kind).format(name=name, key=f"K{i}")
        (folder / f"app-{i:03d}.yaml").write_text(text, encoding="utf-8")
    return top


def audit(tree: Path, jobs: int, *args: str) -> subprocess.CompletedProcess[str]:
    argv = ["audit", str(tree), "--node-id", "n", "--jobs", str(jobs), *args]
    return subprocess.run(
        [sys.executable, "-m", "k8s2ief", *argv], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_jobs_3_matches_jobs_1_across_batches(tmp_path: Path, fmt: str) -> None:
    tree = write_tree(tmp_path / "tree")
    policy = ("--ignore", "KI201", "--severity", "KI109=warning,KI320=info", "--format", fmt)
    one = audit(tree, 1, *policy)
    three = audit(tree, 3, *policy)
    assert one.returncode == three.returncode == 1, one.stderr  # KI310 errors
    assert one.stdout == three.stdout
    assert one.stderr == three.stderr == ""
    # The checks spanning files did fire, across batches, under the policy.
    if fmt == "text":
        report = one.stdout
        assert "warning KI109 duplicate-name" in report and "error KI109" not in report
        assert "info KI320 host-port-conflict" in report and "error KI320" not in report
        assert "KI201" not in report
        assert "envFrom ConfigMap config-0 expanded" in report  # defined in a later file
        assert "envFrom ConfigMap 'config-1' cannot be expanded" in report  # defined nowhere
        suppressed = report.rsplit("finding(s) suppressed", 1)[0].rsplit("; ", 1)[1]
        assert int(suppressed) > 2 * FILES // 7  # every KI201 and every annotated KI319


def test_batches_keep_every_path_once_in_order() -> None:
    for count in (0, 1, 5, 63, 64, 65, 100, 1000):
        paths = [f"f{i}" for i in range(count)]
        for jobs in (1, 2, 3):
            cut = batches(paths, 32, jobs)
            assert [p for batch in cut for p in batch] == paths
            assert all(0 < len(batch) <= 32 for batch in cut)
            # The last files (jobs batches' worth) go out in eighths.
            tail = min(count, jobs * 32)
            sizes = [len(batch) for batch in cut]
            while tail > 0:
                assert sizes[-1] <= 32 // TAIL_CUT
                tail -= sizes.pop()

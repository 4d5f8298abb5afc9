"""Run the real CLI in a subprocess, from any directory, with a chosen environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPUTS = ROOT / "testdata" / "inputs"
GOLDEN = ROOT / "testdata" / "golden"


def k8s2ief(
    *args: str | Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    prelude: str = "",
) -> subprocess.CompletedProcess[str]:
    """``python -m k8s2ief ARGS``; ``prelude`` is Python run first (e.g. to hide a package)."""
    environment = {k: v for k, v in os.environ.items() if k != "K8S2IEF_CONFIG"}
    environment.update({"PYTHONPATH": str(ROOT), **(env or {})})
    command = [sys.executable, "-m", "k8s2ief", *map(str, args)]
    if prelude:
        code = f"{prelude}\nimport sys\nfrom k8s2ief.cli import run\nsys.argv[0] = 'k8s2ief'\nrun()"
        command = [sys.executable, "-c", code, *map(str, args)]
    return subprocess.run(
        command, input=stdin, capture_output=True, text=True, env=environment, cwd=cwd, timeout=120
    )

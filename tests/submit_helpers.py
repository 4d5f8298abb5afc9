"""What the submit tests share: credentials, manifests, and apply run as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AK, SK, PROJECT = "TESTAK0123456789", "test-secret-key-0123", "0123456789abcdef0123456789abcdef"
NODE = "9ebd8efb-9fdd-44a1-abda-9cdbc287a867"
DATA = Path(__file__).parent.parent / "testdata" / "apply"
WRITES = {"POST", "PUT", "DELETE"}
CLI = [sys.executable, "-m", "k8s2ief"]


def environment(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        **extra,
    }


def manifest(name: str, image: str = "nginx:1.27-alpine", replicas: int = 1) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  template:
    spec:
      containers:
      - name: main
        image: {image}
---
"""


def cli(
    *args: str, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """k8s2ief ARGS in a subprocess, with fast retries."""
    return subprocess.run(
        [*CLI, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment(),
        timeout=timeout,
    )


def submit(
    command: str, endpoint: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return cli(command, "--endpoint", endpoint, "--retry-base-delay", "0.01", *args, stdin=stdin)

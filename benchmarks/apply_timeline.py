"""apply's timeline against the emulator, alternating several installs of k8s2ief.

    python benchmarks/apply_timeline.py MANIFESTS LATENCY_MS ROUNDS VENV [VENV ...]

Each round runs ``VENV/bin/k8s2ief apply MANIFESTS`` once per virtualenv (a fresh emulator each
time, in this process, so every deployment is new) and prints the total time, when the first
request arrived, the rate of the requests after the first, the time from the last answer to the
exit, and the apply process's CPU (``wait4``, its worker processes included); then min / median /
max of each over the rounds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from k8s2ief.testing.emulator import Emulator, Faults

AK, SK, PROJECT = "BENCHAK", "bench-sk", "bench"


def one(venv: str, manifests: str, latency_ms: int, home: str) -> dict[str, float]:
    arrived: list[float] = []
    answered: list[float] = []
    env = {
        **os.environ,
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
        "HOME": home,
    }
    with Emulator({AK: SK}, PROJECT, faults=Faults(latency_ms=latency_ms)) as emu:
        handle = emu.handle

        def stamped(request: Any) -> Any:
            arrived.append(request.arrived)
            outcome = handle(request)
            answered.append(time.monotonic())
            return outcome

        emu.handle = stamped  # type: ignore[method-assign]
        argv = [f"{venv}/bin/k8s2ief", "apply", manifests, "--endpoint", emu.endpoint]
        started = time.monotonic()
        child = subprocess.Popen(
            [*argv, "--node-id", "node-1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert child.stderr is not None
        errors = child.stderr.read()
        _pid, status, usage = os.wait4(child.pid, 0)
        ended = time.monotonic()
    if status != 0 or len(answered) < 3:
        raise SystemExit(f"apply failed ({status}): {errors[-500:].decode(errors='replace')}")
    arrived.sort()
    answered.sort()
    return {
        "total": ended - started,
        "first": arrived[0] - started,
        "rate": (len(answered) - 2) / (answered[-1] - answered[1]),
        "exit": ended - answered[-1],
        "cpu": usage.ru_utime + usage.ru_stime,
    }


def main() -> None:
    manifests, latency_ms, rounds, venvs = (
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        sys.argv[4:],
    )
    results: dict[str, list[dict[str, float]]] = {venv: [] for venv in venvs}
    with tempfile.TemporaryDirectory() as home:
        for _ in range(rounds):
            for venv in venvs:
                measured = one(venv, manifests, latency_ms, home)
                results[venv].append(measured)
                print(venv, " ".join(f"{k} {v:.3f}" for k, v in measured.items()), flush=True)
    for venv, runs in results.items():
        print(venv)
        for key in runs[0]:
            values = [run[key] for run in runs]
            print(
                f"  {key:6s} min {min(values):.3f} median {statistics.median(values):.3f} "
                f"max {max(values):.3f}"
            )


if __name__ == "__main__":
    main()

"""apply as a deploy step against the emulator: request counts and time against the ideal.

    python benchmarks/apply_bench.py [--deployments 200] [--latency-ms 20] [--parallel 8]
                                     [--ready-delay 1.0] [--repeat 3] [--plain]

Three runs of ``apply --applyset bench --prune --wait`` against one emulator (in this process;
apply runs as its own process, as a user runs it): every deployment new, then all unchanged,
then 5 updated and 5 no longer in the input (pruned). Each is repeated on a fresh emulator and
reported as min/median/max. The ideal is requests / parallel x latency (plus, with --wait, the
emulator's ready delay, which no client can beat). ``--plain`` runs plain ``apply`` of new
deployments only (issue 17's case: 1,000 at 20 ms).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from k8s2ief.testing.emulator import Emulator, Faults

AK, SK, PROJECT = "BENCHAK0000000", "bench-secret-key", "bench0000000000000000000000000000"
NODE = "bench-node"


def manifest(name: str, image: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
        f"  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: main\n"
        f"        image: {image}\n---\n"
    )


def write(path: Path, names: list[str], changed: frozenset[str] = frozenset()) -> str:
    path.write_text(
        "".join(manifest(n, "nginx:1.28" if n in changed else "nginx:1.27") for n in names)
    )
    return str(path)


class Watch:
    """When the first and the last request of a run reached the emulator."""

    def __init__(self, emu: Emulator) -> None:
        self.emu, self.before = emu, len(emu.request_log)
        self.first = self.last = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        seen = 0
        while not self._stop.wait(0.002):
            count = len(self.emu.request_log) - self.before
            if count and self.first is None:
                self.first = time.monotonic()
            if count != seen:
                seen, self.last = count, time.monotonic()

    def stop(self) -> list[str]:
        self._stop.set()
        self._thread.join()
        log = self.emu.request_log[self.before :]
        return [f"{r.method} {_kind(r.path)}" for r in log]


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _kind(path: str) -> str:
    """``deployments`` for the collection, ``deployments/{id}`` for one of them."""
    parts = path.split("/")
    return parts[4] if len(parts) == 5 else f"{parts[4]}/{{id}}"


def run_phase(
    emu: Emulator, path: str, args: argparse.Namespace, extra: list[str], env: dict[str, str]
) -> dict[str, object]:
    watch = Watch(emu)
    emulator_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    start = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "k8s2ief",
            "apply",
            path,
            "--endpoint",
            emu.endpoint,
            "--node-id",
            NODE,
            "--parallel",
            str(args.parallel),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # wait4: the exit status and the CPU of apply and its conversion workers, as they end.
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read() if process.stderr else ""
    emulator_cpu = _cpu(resource.getrusage(resource.RUSAGE_SELF)) - emulator_cpu
    requests = watch.stop()
    if process.returncode != 0:
        raise SystemExit(f"apply failed ({process.returncode}): {stderr[-500:]}")
    return {
        "seconds": seconds,
        "apply_cpu": _cpu(usage),
        "emulator_cpu": emulator_cpu,  # this process: the emulator's threads (and the watch)
        "requests": Counter(requests),
        "to_first": (watch.first or start) - start,
        "span": (watch.last or start) - (watch.first or start),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deployments", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--ready-delay", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="plain apply of new deployments")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="k8s2ief-apply-bench-"))
    env = {
        **os.environ,
        "HOME": str(work),
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
    }
    names = [f"app-{i:04d}" for i in range(args.deployments)]
    full = write(work / "full.yaml", names)
    less = write(work / "less.yaml", names[:-5], frozenset(names[-10:-5]))
    deploy = ["--applyset", "bench", "--prune", "--wait"]
    phases = (
        [("new", full, [])]
        if args.plain
        else [
            ("new", full, deploy),
            ("unchanged", full, deploy),
            ("5 updated, 5 pruned", less, deploy),
        ]
    )
    results: dict[str, list[dict[str, object]]] = {label: [] for label, _p, _e in phases}
    for _ in range(args.repeat):
        with Emulator(
            {AK: SK},
            PROJECT,
            faults=Faults(latency_ms=args.latency_ms),
            ready_delay_s=0.0 if args.plain else args.ready_delay,
        ) as emu:
            for label, path, extra in phases:
                results[label].append(run_phase(emu, path, args, extra, env))
    print(
        f"{args.deployments} deployments, {args.latency_ms} ms latency, --parallel "
        f"{args.parallel}, ready delay {0 if args.plain else args.ready_delay} s, load "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    for label, runs in results.items():
        count = sum(runs[0]["requests"].values())  # type: ignore[union-attr]
        ideal = count / args.parallel * args.latency_ms / 1000
        waited = 0.0 if args.plain or label == "unchanged" else args.ready_delay
        times = sorted(float(r["seconds"]) for r in runs)  # type: ignore[arg-type]
        spans = sorted(float(r["span"]) for r in runs)  # type: ignore[arg-type]
        firsts = sorted(float(r["to_first"]) for r in runs)  # type: ignore[arg-type]
        median = statistics.median(times)
        print(f"- {label}: {count} requests {dict(sorted(runs[0]['requests'].items()))}")  # type: ignore[union-attr]
        print(
            f"  time min/median/max {times[0]:.2f}/{median:.2f}/{times[-1]:.2f} s; ideal "
            f"{ideal:.2f} s + ready delay {waited:g} s; ratio {median / (ideal + waited):.2f}"
        )
        print(
            f"  start to first request {statistics.median(firsts):.2f} s; first to last "
            f"request {statistics.median(spans):.2f} s "
            f"(ratio {statistics.median(spans) / (ideal + waited):.2f})"
        )
        # CPU moves far less with the machine's load than wall time does: compare these.
        apply_cpu = statistics.median(float(r["apply_cpu"]) for r in runs)  # type: ignore[arg-type]
        emulator_cpu = statistics.median(float(r["emulator_cpu"]) for r in runs)  # type: ignore[arg-type]
        print(
            f"  CPU: apply {apply_cpu:.2f} s (with its workers), emulator "
            f"{emulator_cpu:.2f} s, {1000 * emulator_cpu / count:.2f} ms a request"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The benchmark suite (issue 7): every case against a baseline measured in the same run.

    python benchmarks/run.py [--quick] [--repeat N] [--json FILE] [--corpus DIR]

The project is measured as users get it: ``pip install '.[submit]'`` (a normal install, not
editable, so pip byte-compiles every module) into a fresh virtualenv created for this run in a
temporary folder, and run through that virtualenv's ``k8s2ief`` script. The Python baselines run
in the same virtualenv.

Inputs are built in the same temporary folder from the real Deployments of the corpus
(/work/shared/corpus/real), replicated with unique metadata.name to the sizes of each case. Each
case runs several times, interleaved with its baseline where it has one, so that load from
elsewhere hits both alike; the table gives min/median/max of both and the ratio of the medians,
and a target says what that ratio must be (PASS/MISS). Timings are wall clock of whole
subprocesses, as a user sees them; peak memory is each subprocess's own maximum resident set
(reported by /usr/bin/time, see peak_rss_mb).

--quick runs tiny sizes once (a smoke test of the suite, in well under a minute); its numbers
mean nothing. It installs the project with ``--no-deps`` into a virtualenv that sees this
interpreter's installed packages (a .pth file), instead of installing every dependency again.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

CORPUS = Path("/work/shared/corpus/real")
KUBECTL = "/usr/bin/kubectl"
ROOT = Path(__file__).resolve().parent.parent
DEVNULL = subprocess.DEVNULL

# Document-level split of the corpus files: kubectl's cut (a line starting with ---).
_SEPARATOR = re.compile(rb"(?m)^---[ \t]*(?:#[^\n]*)?\r?\n")


@dataclass(frozen=True)
class Sizes:
    throughput: int  # documents in the stream converted against kubectl
    memory_small: int
    memory_large: int
    audit_files: int
    apply: int
    repeat: int
    scaling: tuple[int, ...]  # stream sizes for time per document
    starts: int  # paired runs of the start-up cases (cheap, and the noisiest)


FULL = Sizes(10_000, 1_000, 100_000, 5_000, 1_000, 5, (1_000, 10_000, 100_000), 21)
QUICK = Sizes(300, 50, 500, 40, 40, 1, (50, 300), 1)


@dataclass(frozen=True)
class Installed:
    """The virtualenv the project was installed into for this run."""

    python: str
    k8s2ief: list[str]  # the console script users run


def install(work: Path, *, quick: bool) -> Installed:
    """``pip install '.[submit]'`` (not editable) into a fresh virtualenv under ``work``.

    From a copy of the package's sources: pip builds in the source folder, and a ``build/`` left
    there by an earlier build could put stale modules into the wheel.
    """
    source = work / "source"
    for name in ("pyproject.toml", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "k8s2ief", source / "k8s2ief", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    venv = work / "venv"
    quiet(sys.executable, "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if quick:
        # Reuse the dependencies installed here: a path in a .pth file adds that folder only
        # (its own .pth files, such as an editable install's finder, are not run).
        import sysconfig

        site = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        )
        Path(site.stdout.strip(), "_bench_parent.pth").write_text(
            "\n".join(dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]))
            + "\n"
        )
        quiet(*pip, "--no-deps", str(source))
    else:
        quiet(*pip, f"{source}[submit]")
    found = subprocess.run(
        [python, "-c", "import k8s2ief; print(k8s2ief.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=work,
    ).stdout.strip()
    if not found.startswith(str(venv)):
        raise SystemExit(f"the benchmark would not measure the installed copy: {found}")
    return Installed(python, [str(venv / "bin" / "k8s2ief")])


def quiet(*argv: str) -> None:
    """Run a set-up command; its output only if it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout}{done.stderr}")


@dataclass
class Row:
    """One line of the table: a measured value, its baseline, and the target on their ratio.

    ``value`` and ``baseline`` are medians of their samples; ``ratio`` is value / baseline.
    """

    case: str
    measured: str  # what was run
    value: float | None
    baseline_name: str = ""
    baseline: float | None = None
    unit: str = "s"
    target: str = ""  # e.g. "<= 1.5"; empty: informational
    ratio: float | None = None
    passed: bool | None = None
    note: str = ""
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    paired: bool = False  # samples[i] ran next to baseline_samples[i] (interleaved)
    paired_ratios: list[float] = field(default_factory=list)

    def judge(self) -> Row:
        if self.value is not None and self.baseline:
            self.ratio = self.value / self.baseline
        if self.paired and len(self.samples) == len(self.baseline_samples):
            self.paired_ratios = sorted(
                a / b for a, b in zip(self.samples, self.baseline_samples, strict=True) if b
            )
        if self.target and self.ratio is not None:
            op, bound = self.target.split()
            self.passed = self.ratio <= float(bound) if op == "<=" else self.ratio >= float(bound)
        return self


# --- inputs -----------------------------------------------------------------------------------


def corpus_deployments(corpus: Path) -> list[bytes]:
    """The text of every Deployment document of the corpus that kubectl would also accept.

    Only apps/v1 Deployments that parse on their own, with a block-style ``metadata.name``
    (so that it can be rewritten in place), keeping each document byte for byte otherwise.
    """
    found: list[bytes] = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        raw = path.read_bytes().replace(b"\r\n", b"\n")
        for text in _SEPARATOR.split(raw):
            try:
                data = yaml.load(text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                continue
            if (
                isinstance(data, dict)
                and data.get("kind") == "Deployment"
                and data.get("apiVersion") == "apps/v1"
                and _name_line(text) is not None
            ):
                found.append(text if text.endswith(b"\n") else text + b"\n")
    if not found:
        raise SystemExit(f"no Deployment documents found under {corpus}")
    return found


def _name_line(text: bytes) -> re.Match[bytes] | None:
    """The ``name:`` line directly under a block ``metadata:`` at the top level."""
    meta = re.search(rb"(?m)^metadata:[ \t]*\n((?:[ \t]+[^\n]*\n|[ \t]*#[^\n]*\n|\n)*)", text)
    if meta is None:
        return None
    body = meta.group(1)
    indent = re.match(rb"[ \t]*", body)
    width = len(indent.group(0)) if indent else 0
    pattern = rb"(?m)^" + b" " * width + rb"name:[ \t]*[^\s#][^\n]*$"
    found = re.search(pattern, body)
    if found is None:
        return None
    return re.compile(pattern).search(text, meta.start(1))


def renamed(text: bytes, name: str) -> bytes:
    found = _name_line(text)
    assert found is not None
    line = found.group(0)
    indent = line[: len(line) - len(line.lstrip())]
    return text[: found.start()] + indent + b"name: " + name.encode() + text[found.end() :]


def write_stream(path: Path, documents: list[bytes], count: int) -> Path:
    """``count`` documents cycling through the corpus, each with a unique name."""
    with path.open("wb") as out:
        for i in range(count):
            if i:
                out.write(b"---\n")
            out.write(renamed(documents[i % len(documents)], f"bench-{i:06d}"))
    return path


def write_tree(top: Path, documents: list[bytes], count: int) -> Path:
    """``count`` files of one Deployment each, 100 files per directory."""
    for i in range(count):
        folder = top / f"dir-{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"app-{i:05d}.yaml").write_bytes(
            renamed(documents[i % len(documents)], f"bench-{i:06d}")
        )
    return top


def write_apply_input(path: Path, count: int) -> Path:
    # Deployments IEF accepts as they are (real ones carry error findings and would be blocked).
    path.write_text(
        "---\n".join(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: app-{i:05d}}}\nspec:\n"
            f"  template:\n    spec:\n      containers: [{{name: main, image: 'nginx:1'}}]\n"
            for i in range(count)
        )
    )
    return path


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    code: int


def run(
    argv: Sequence[str],
    *,
    stdout: Path | None = None,
    stderr: Path | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """Run a command to the end; its wall time and exit code."""
    out = stdout.open("wb") if stdout else None
    err = stderr.open("wb") if stderr else None
    try:
        started = time.perf_counter()
        code = subprocess.call(
            argv, stdout=out or DEVNULL, stderr=err or DEVNULL, env={**os.environ, **(env or {})}
        )
        elapsed = time.perf_counter() - started
    finally:
        for handle in (out, err):
            if handle:
                handle.close()
    return Run(elapsed, code)


def timed(argv: Sequence[str], repeat: int, **kwargs: object) -> list[float]:
    """Wall times of ``repeat`` runs after one warm-up (page cache, .pyc files)."""
    run(argv, **kwargs)  # type: ignore[arg-type]
    return [run(argv, **kwargs).seconds for _ in range(repeat)]  # type: ignore[arg-type]


def interleaved(*measures: Callable[[], float], repeat: int) -> tuple[list[float], ...]:
    """Take the measurements in turn, ``repeat`` rounds after one warm-up round, so that load
    from elsewhere hits each alike."""
    samples: list[list[float]] = [[] for _ in measures]
    for measure in measures:
        measure()
    for _ in range(repeat):
        for taken, measure in zip(samples, measures, strict=True):
            taken.append(measure())
    return tuple(samples)


def at_once(*argvs: Sequence[str]) -> float:
    """Wall time from starting every command together until the last one ends."""
    started = time.perf_counter()
    running = [subprocess.Popen(argv, stdout=DEVNULL, stderr=DEVNULL) for argv in argvs]
    for process in running:
        process.wait()
    return time.perf_counter() - started


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


# --- cases --------------------------------------------------------------------------------------


BASELINE_START = "import yaml, click, json"


def cold_start(tool: Installed, work: Path, docs: list[bytes], sizes: Sizes) -> list[Row]:
    """Start-up of convert (one small file), --help and explain, each against a bare script."""
    one = write_stream(work / "one.yaml", docs, 1)
    base = [tool.python, "-c", BASELINE_START]
    cases = [
        (
            "cold start",
            "convert one.yaml --node-id n",
            ["convert", str(one), "--node-id", "n"],
            "<= 1.3",
        ),
        ("start --help", "k8s2ief --help", ["--help"], "<= 1.2"),
        ("start explain", "k8s2ief explain KI101", ["explain", "KI101"], "<= 1.2"),
    ]
    rows = []
    for case, measured, args, target in cases:
        ours = [*tool.k8s2ief, *args]
        a, b = interleaved(
            lambda ours=ours: run(ours).seconds, lambda: run(base).seconds, repeat=sizes.starts
        )
        rows.append(
            Row(
                case,
                measured,
                median(a),
                f"python -c '{BASELINE_START}'",
                median(b),
                target=target,
                samples=a,
                baseline_samples=b,
                paired=True,
            ).judge()
        )
    return rows


def throughput(tool: Installed, work: Path, docs: list[bytes], sizes: Sizes) -> list[Row]:
    n = sizes.throughput
    big = write_stream(work / "big.yaml", docs, n)
    ours = [*tool.k8s2ief, "convert", str(big), "-o", "jsonl", "--node-id", "n"]
    report = work / "big.report.txt"
    mine = timed(ours, min(sizes.repeat, 3), stderr=report)
    lines_ok, findings = _every_finding_has_a_line(report, big)
    note = f"{findings:,} findings, all with a line" if lines_ok else "FINDINGS WITHOUT A LINE"
    rows: list[Row] = []
    if os.access(KUBECTL, os.X_OK):
        kubectl = [KUBECTL, "annotate", "--local", "-f", str(big), "k=v", "-o", "json"]
        a, b = interleaved(
            lambda: run(ours, stderr=report).seconds,
            lambda: run(kubectl).seconds,
            repeat=min(sizes.repeat, 3),
        )
        row = Row(
            f"throughput {n:,} docs",
            "convert big.yaml -o jsonl",
            median(a),
            "kubectl annotate --local -o json",
            median(b),
            target="<= 1.0",
            note=note,
            samples=a,
            baseline_samples=b,
            paired=True,
        ).judge()
        if not lines_ok:
            row.passed = False
        rows.append(row)
    else:
        rows.append(
            Row(
                f"throughput {n:,} docs",
                "convert big.yaml -o jsonl",
                median(mine),
                note=f"skipped: {KUBECTL} not found",
                samples=mine,
            )
        )
    pyyaml = [
        tool.python,
        "-c",
        "import sys, yaml\nwith open(sys.argv[1], 'rb') as f:\n"
        "    for _ in yaml.load_all(f, Loader=yaml.CSafeLoader): pass",
        str(big),
    ]
    base = timed(pyyaml, min(sizes.repeat, 3))
    rows.append(
        Row(
            f"throughput {n:,} docs",
            "convert big.yaml -o jsonl",
            median(mine),
            "PyYAML CSafeLoader load_all only",
            median(base),
            note="informational",
            samples=mine,
            baseline_samples=base,
        ).judge()
    )
    return rows


def _every_finding_has_a_line(report: Path, stream: Path) -> tuple[bool, int]:
    """Each finding line of the text report starts ``file:LINE:``; counts them."""
    prefix = f"{stream}:"
    findings = 0
    for line in report.read_text(encoding="utf-8").splitlines():
        if line.startswith("k8s2ief:"):
            continue  # the summary line
        findings += 1
        head = line[len(prefix) :].split(":", 1)[0] if line.startswith(prefix) else ""
        if not head.isdigit():
            return False, findings
    return True, findings


def memory(tool: Installed, work: Path, docs: list[bytes], sizes: Sizes) -> list[Row]:
    small = write_stream(work / "mem-small.yaml", docs, sizes.memory_small)
    large = write_stream(work / "mem-large.yaml", docs, sizes.memory_large)

    def peak(path: Path) -> tuple[float, float]:
        return peak_rss_mb(
            [*tool.k8s2ief, "convert", str(path), "-o", "jsonl", "--node-id", "n"], work
        )

    # Peak RSS barely varies between runs: two of each are enough (the large one is slow).
    small_runs = [peak(small) for _ in range(2)]
    large_runs = [peak(large) for _ in range(min(sizes.repeat, 2))]
    large_mb, small_mb = [m for m, _ in large_runs], [m for m, _ in small_runs]
    rows = [
        Row(
            f"memory {sizes.memory_large:,} vs {sizes.memory_small:,} docs",
            f"peak RSS, {sizes.memory_large:,} docs",
            median(large_mb),
            f"peak RSS, {sizes.memory_small:,} docs",
            median(small_mb),
            unit="MB",
            target="<= 1.5",
            samples=large_mb,
            baseline_samples=small_mb,
        )
    ]
    large.unlink()
    return [r.judge() for r in rows]


def peak_rss_mb(argv: list[str], work: Path) -> tuple[float, float]:
    """Peak RSS (MB) and wall time of a command, measured by a small parent process.

    Linux carries the memory high-water mark of a forked process across exec: a command started
    straight from this (large) process reports at least this process's size, whether read with
    wait4 or RUSAGE_CHILDREN. /usr/bin/time (or a bare Python) forks it instead and reports
    the command's own peak.
    """
    report = work / "rss.txt"
    if os.access("/usr/bin/time", os.X_OK):
        wrapped = ["/usr/bin/time", "-f", "%M", "-o", str(report), *argv]
    else:
        launcher = (
            "import resource, subprocess, sys; subprocess.call(sys.argv[2:]); "
            "open(sys.argv[1], 'w').write(str(resource.getrusage("
            "resource.RUSAGE_CHILDREN).ru_maxrss))"
        )
        wrapped = [sys.executable, "-S", "-c", launcher, str(report), *argv]
    result = run(wrapped)
    return int(report.read_text().split()[-1]) / 1024, result.seconds


def scaling(tool: Installed, work: Path, docs: list[bytes], sizes: Sizes) -> list[Row]:
    """Time per document as the stream grows (the documented growth curve, no target)."""
    rows = []
    for n in sizes.scaling:
        stream = write_stream(work / f"scale-{n}.yaml", docs, n)
        argv = [*tool.k8s2ief, "convert", str(stream), "-o", "jsonl", "--node-id", "n"]
        times = [run(argv).seconds for _ in range(1 if n >= 50_000 else min(sizes.repeat, 3))]
        per_doc = median(times) / n * 1000
        rows.append(
            Row(
                f"scaling {n:,} docs",
                "convert -o jsonl, ms per document",
                per_doc,
                unit="ms/doc",
                note=f"total {median(times):.2f} s",
                samples=[t / n * 1000 for t in times],
            )
        )
        stream.unlink()
    return rows


def audit_scaling(tool: Installed, work: Path, docs: list[bytes], sizes: Sizes) -> list[Row]:
    tree = write_tree(work / "tree", docs, sizes.audit_files)
    files = sorted(str(path) for path in tree.rglob("*.yaml"))
    halves = (files[: len(files) // 2], files[len(files) // 2 :])

    def argv(jobs: int, paths: Sequence[str] = (str(tree),)) -> list[str]:
        return [*tool.k8s2ief, "audit", *paths, "--node-id", "n", "--jobs", str(jobs), "-q"]

    # The machine's own ceiling for this work: each half of the tree audited by its own
    # process, both at once, with nothing shared. Two CPUs of a virtual machine may give less
    # than twice one CPU's speed; --jobs 2 cannot beat this split.
    one, two, split = interleaved(
        lambda: run(argv(1)).seconds,
        lambda: run(argv(2)).seconds,
        lambda: at_once(argv(1, halves[0]), argv(1, halves[1])),
        repeat=min(sizes.repeat, 3),
    )
    # The ratio is the speed-up: time with --jobs 1 over time with --jobs 2.
    row = Row(
        f"audit {sizes.audit_files:,} files",
        "audit --jobs 2 (speed-up)",
        median(one),
        "audit --jobs 2",
        median(two),
        unit="s (jobs 1)",
        target=">= 1.8",
        samples=one,
        baseline_samples=two,
        paired=True,
    )
    ceiling = Row(
        f"audit {sizes.audit_files:,} files",
        "machine ceiling (speed-up)",
        median(one),
        "two halves, two --jobs 1 at once",
        median(split),
        unit="s (jobs 1)",
        note="informational: the most --jobs 2 could gain here",
        samples=one,
        baseline_samples=split,
        paired=True,
    )
    return [row.judge(), ceiling.judge()]


# Runs in the installed virtualenv: the emulator serves from that process (on a core of its
# own when there is one), apply runs as a third process, as a user runs it.
_APPLY_RUN = """
import json, os, subprocess, sys, time
from k8s2ief.testing.emulator import Emulator, Faults
k8s2ief, manifests, latency, expected = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with Emulator({"BENCHAK": "bench-sk"}, "bench", faults=Faults(latency_ms=latency)) as emu:
    argv = [k8s2ief, "apply", manifests, "--endpoint", emu.endpoint, "--node-id", "node-1"]
    started = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    print(json.dumps({"code": done.returncode, "seconds": seconds, "stderr": done.stderr[-500:],
                      "created": len(emu.deployments), "requests": len(emu.request_log)}))
"""


def apply(tool: Installed, work: Path, docs: list[bytes], sizes: Sizes) -> list[Row]:
    latency_ms, parallel = 20, 8  # 8: apply's default --parallel
    manifests = write_apply_input(work / "apply.yaml", sizes.apply)
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "HOME": str(home),
        "HUAWEICLOUD_SDK_AK": "BENCHAK",
        "HUAWEICLOUD_SDK_SK": "bench-sk",
        "HUAWEICLOUD_SDK_PROJECT_ID": "bench",
    }
    times: list[float] = []
    requests = 0
    for _ in range(min(sizes.repeat, 3)):
        # A fresh emulator each time: every deployment is new, as in a first migration.
        argv = [tool.python, "-c", _APPLY_RUN, tool.k8s2ief[0], str(manifests)]
        done = subprocess.run(
            [*argv, str(latency_ms), str(sizes.apply)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"the apply benchmark failed:\n{done.stderr}")
        answer = json.loads(done.stdout)
        if answer["code"] != 0 or answer["created"] != sizes.apply:
            raise SystemExit(
                f"apply failed: exit {answer['code']}, {answer['created']} of {sizes.apply} "
                f"created\n{answer['stderr']}"
            )
        requests = answer["requests"]
        times.append(answer["seconds"])
    ideal = sizes.apply * latency_ms / 1000 / parallel
    return [
        Row(
            f"apply {sizes.apply:,} deployments",
            "apply to emulator (20 ms latency)",
            median(times),
            f"ideal {sizes.apply:,} x 20 ms / {parallel}",
            ideal,
            target="<= 1.2",
            note=f"{requests:,} requests",
            samples=times,
        ).judge()
    ]


CASES: dict[str, Callable[[Installed, Path, list[bytes], Sizes], list[Row]]] = {
    "cold-start": cold_start,
    "throughput": throughput,
    "memory": memory,
    "audit": audit_scaling,
    "apply": apply,
    "scaling": scaling,
}


# --- output -------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                "",
            )
    except OSError:
        pass
    kubectl = ""
    if os.access(KUBECTL, os.X_OK):
        answer = subprocess.run(
            [KUBECTL, "version", "--client", "-o", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        with_version = json.loads(answer.stdout or "{}").get("clientVersion", {})
        kubectl = with_version.get("gitVersion", "")
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": os.getloadavg(),
        "kubectl": kubectl,
    }


def table(rows: Sequence[Row]) -> str:
    """The results; ``ratio`` is of the medians, ``paired`` the range of run-by-run ratios."""
    head = (
        "case",
        "measured",
        "min / median / max",
        "baseline",
        "min / median / max",
        "ratio",
        "paired",
        "target",
        "result",
        "note",
    )
    lines = [head]
    for r in rows:
        verdict = {True: "PASS", False: "MISS", None: "-"}[r.passed]
        paired = f"{r.paired_ratios[0]:.2f}-{r.paired_ratios[-1]:.2f}" if r.paired_ratios else "-"
        lines.append(
            (
                r.case,
                r.measured,
                _spread(r.samples, r.value, r.unit),
                r.baseline_name or "-",
                _spread(r.baseline_samples, r.baseline, r.unit.split()[0]),
                f"{r.ratio:.2f}" if r.ratio is not None else "-",
                paired,
                r.target or "-",
                verdict,
                r.note,
            )
        )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    out = []
    for index, line in enumerate(lines):
        out.append("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _spread(samples: Sequence[float], value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if len(samples) < 2:
        return _number(value, unit)
    low, high = min(samples), max(samples)
    return f"{_bare(low)} / {_bare(value)} / {_number(high, unit)}"


def _bare(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repetition")
    parser.add_argument("--repeat", type=int, help="repetitions of the cheap cases")
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--only", action="append", choices=sorted(CASES), help="run only this case (repeatable)"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.repeat:
        sizes = Sizes(**{**asdict(sizes), "repeat": args.repeat})
    docs = corpus_deployments(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="k8s2ief-bench-"))
    rows: list[Row] = []
    started = time.perf_counter()
    try:
        print("installing the project into a fresh virtualenv ...", file=sys.stderr, flush=True)
        tool = install(work, quick=args.quick)
        for name in args.only or list(CASES):
            print(f"running {name} ...", file=sys.stderr, flush=True)
            found = CASES[name](tool, work, docs, sizes)
            print(table(found), file=sys.stderr, flush=True)  # kept even if a later case fails
            rows.extend(found)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    info = machine()
    print(table(rows))
    print(
        f"\n{info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, kubectl "
        f"{info['kubectl'] or 'absent'}, load average at the end "
        f"{', '.join(f'{x:.2f}' for x in info['load_average'])}; "
        f"{len(docs)} corpus Deployments; {time.perf_counter() - started:.0f} s"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": info, "quick": args.quick, "rows": [asdict(r) for r in rows]}, indent=2
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

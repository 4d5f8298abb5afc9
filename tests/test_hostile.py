"""Hostile and broken input (issue 8): no traceback, no lost result, no leaked secret.

Small fixtures live in testdata/hostile/ with their expected outcome in expected.json; the big ones
(deep nesting, a 50 MB scalar, a 100 MB stream, symlink loops) are generated into tmp_path. Every
case runs the real CLI in a subprocess, as a user would.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOSTILE = REPO / "testdata" / "hostile"
EXPECTED: dict[str, dict] = {
    name: value
    for name, value in json.loads((HOSTILE / "expected.json").read_text("utf-8")).items()
    if not name.startswith("_")
}
TIMEOUT = 60
MB = 1024 * 1024

# Runs a command and reports its peak RSS (KiB) and wall time: RUSAGE_CHILDREN of a process whose
# only child is the command measures that command alone.
_MEASURE = """
import json, resource, subprocess, sys, time
start = time.monotonic()
code = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump({"rc": code, "rss_kb": usage.ru_maxrss, "seconds": time.monotonic() - start}, out)
sys.exit(code)
"""


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    rss_mb: float = 0.0
    seconds: float = 0.0

    def bodies(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def names(self) -> list[str | None]:
        return [body.get("name") for body in self.bodies()]


def cli(
    *args: str,
    cwd: Path | None = None,
    measure_in: Path | None = None,
    stdin: bytes | None = None,
    shell: str | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """``k8s2ief ARGS`` in a subprocess; with ``measure_in``, also its peak RSS and wall time.

    ``stdin`` is fed to it; ``shell`` runs it from bash, where ``"$@"`` stands for the command
    (``'"$@" >&-'``, ``'"$@" <(cat x)'``, ``'umask 027; "$@"'``); ``env`` adds variables."""
    command = [sys.executable, "-m", "k8s2ief", *args]
    stats_file = None
    if measure_in is not None:
        stats_file = measure_in / "stats.json"
        command = [sys.executable, "-c", _MEASURE, str(stats_file), *command]
    if shell is not None:
        command = ["bash", "-c", shell, "bash", *command]
    done = subprocess.run(
        command,
        capture_output=True,
        timeout=TIMEOUT,
        cwd=cwd,
        input=stdin,
        env={**os.environ, **(env or {})},
    )
    text = (done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    run = Run(done.returncode, *text)
    if stats_file is not None:
        stats = json.loads(stats_file.read_text())
        run.rss_mb, run.seconds = stats["rss_kb"] / 1024, stats["seconds"]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.rc != 3, run.stderr[-3000:]
    return run


def convert(path: Path | str, *extra: str, **kwargs: Path) -> Run:
    return cli("convert", str(path), "--node-id", "n", "-o", "jsonl", *extra, **kwargs)


def finding_lines(run: Run, code: str) -> list[str]:
    return [line for line in run.stderr.splitlines() if f" {code} " in line]


def deployment(name: str, extra_container: str = "", extra_spec: str = "") -> str:
    text = f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          template:
            spec:
              containers:
              - name: app
                image: nginx:1.25
        """
    return textwrap.dedent(text) + extra_container + extra_spec


def sandwich(middle: str | bytes) -> bytes:
    """A hostile document between two good Deployments; the middle starts on line 12."""
    if isinstance(middle, str):
        middle = middle.encode("utf-8")
    if not middle.endswith(b"\n"):
        middle += b"\n"
    return (
        (deployment("good-a") + "---\n").encode()
        + middle
        + ("---\n" + deployment("good-b")).encode()
    )


# --- the committed catalogue --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_catalogue(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    run = convert(HOSTILE / name, cwd=tmp_path)
    assert run.rc == expected["exit"], run.stderr
    for want in expected["findings"]:
        lines = finding_lines(run, want["code"])
        if "line" in want:
            lines = [x for x in lines if x.startswith(f"{HOSTILE / name}:{want['line']}:")]
        if "text" in want:
            lines = [x for x in lines if want["text"] in x]
        assert lines, f"{want} not in:\n{run.stderr}"
    assert expected.get("stderr", "") in run.stderr
    for text in expected.get("absent", []):
        assert text not in run.stdout + run.stderr, text
    assert run.names() == expected["bodies"]
    assert not list(tmp_path.iterdir()), "the input made the tool write files (PWNED?)"


def test_every_fixture_has_an_expectation() -> None:
    on_disk = {p.name for p in HOSTILE.iterdir() if p.name != "expected.json"}
    assert on_disk == set(EXPECTED)


def test_python_tag_never_executes(tmp_path: Path) -> None:
    run = convert(HOSTILE / "python-object-tag.yaml", cwd=tmp_path)
    assert not (tmp_path / "PWNED").exists()
    assert "pwned" not in run.stdout.replace("echo pwned > PWNED", "")  # only ever as a string
    evil = next(b for b in run.bodies() if b["name"] == "evil")
    assert evil["deployment"]["template"]["containers"][0]["command"] == ["echo pwned > PWNED"]


def test_merge_keys_work_like_kubectl() -> None:
    run = convert(HOSTILE / "merge-keys.yaml")
    merged = next(b for b in run.bodies() if b["name"] == "merged")
    base, sidecar = merged["deployment"]["template"]["containers"]
    assert (base["name"], base["image_url"]) == ("base", "nginx:1")
    assert (sidecar["name"], sidecar["image_url"]) == ("sidecar", "nginx:2")
    assert sidecar["envs"] == [{"name": "FROM_BASE", "value": "1"}]


# --- generated: too big to commit ---------------------------------------------------------------


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    run = convert(HOSTILE / "alias-bomb.yaml", measure_in=tmp_path)
    assert finding_lines(run, "KI011")
    assert run.seconds < 10 and run.rss_mb < 150, (run.seconds, run.rss_mb)


@pytest.mark.parametrize(
    "style, middle",
    [
        ("flow", "x: " + "[" * 10_000 + "]" * 10_000),
        ("flow-mapping", "x: " + "{a: " * 10_000 + "b" + "}" * 10_000),
        ("block", "- " * 10_000 + "x"),
    ],
)
def test_nesting_10000_deep(style: str, middle: str, tmp_path: Path) -> None:
    path = tmp_path / f"deep-{style}.yaml"
    path.write_bytes(sandwich(middle))
    run = convert(path, measure_in=tmp_path)
    assert run.rc == 2
    assert [x for x in finding_lines(run, "KI011") if f"{path}:12:" in x], run.stderr
    assert run.names() == ["good-a", "good-b"]
    assert run.seconds < 10 and run.rss_mb < 150, (run.seconds, run.rss_mb)


def test_nesting_within_max_depth_converts(tmp_path: Path) -> None:
    """The limit is an option: a deep but allowed document still loads."""
    path = tmp_path / "deep.yaml"
    path.write_bytes(sandwich(deployment("deep") + "x: " + "[" * 300 + "]" * 300))
    assert finding_lines(convert(path), "KI011")  # 300 levels: beyond the default of 256
    run = convert(path, "--max-depth", "400")
    assert run.rc == 1  # the unknown field x is an error
    assert "deep" in run.names()
    assert finding_lines(run, "KI007")


@pytest.mark.parametrize("style", ["flow", "block"])
def test_depth_past_libyamls_own_limit_is_ki011_at_its_line(style: str, tmp_path: Path) -> None:
    """libyaml (PyYAML 6.0.4's wheels) refuses 1,000 levels itself; --max-depth still decides."""
    if style == "flow":
        nested = "x: " + "[" * 10_000 + "]" * 10_000 + "\n"
    else:
        nested = "x:\n" + "".join("  " * (i + 1) + "-\n" for i in range(1500)) + "  - 1\n"
    path = tmp_path / "deep.yaml"
    path.write_bytes(sandwich(deployment("deep") + nested))
    deep_line = 12 + deployment("deep").count("\n")  # the line of "x:"
    for depth in ("256", "800"):
        run = convert(path, "--max-depth", depth)
        assert run.rc == 2
        [finding] = finding_lines(run, "KI011")
        # Flow brackets all open on the line of "x:". In block style the root mapping is level 1
        # and x's sequence (the line after "x:") level 2: level N opens on line x + N - 1, so the
        # first level past the limit on line x + limit.
        line = deep_line if style == "flow" else deep_line + int(depth)
        assert finding.startswith(f"{path}:{line}: error KI011"), finding
        assert "KI001" not in run.stderr
        assert run.names() == ["good-a", "good-b"]


def test_max_depth_up_to_its_ceiling_works(tmp_path: Path) -> None:
    """790 levels is more than Python's default recursion limit lets a recursive constructor
    build; --max-depth 800 promises it, so the document converts."""
    path = tmp_path / "deep.yaml"
    path.write_bytes(sandwich(deployment("deep") + "x: " + "[" * 790 + "]" * 790 + "\n"))
    run = convert(path, "--max-depth", "800")
    assert run.names() == ["good-a", "deep", "good-b"]
    assert finding_lines(run, "KI007")  # x is an unknown field, reported, not a crash


@pytest.mark.parametrize("depth", ["801", "5000", "100000"])
def test_max_depth_above_ceiling_is_refused(depth: str, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    path.write_bytes(sandwich(""))
    run = convert(path, "--max-depth", depth)
    assert run.rc == 2
    assert "--max-depth" in run.stderr and "800" in run.stderr
    assert run.stdout == ""


def test_50mb_scalar(tmp_path: Path) -> None:
    big = "x" * (50 * MB)
    path = tmp_path / "big-scalar.yaml"
    middle = deployment("big-scalar", extra_spec=f'  replicas: "{big}"\n')
    path.write_bytes(sandwich(middle))
    run = convert(path, measure_in=tmp_path)
    assert run.names() == ["good-a", "big-scalar", "good-b"]
    [finding] = [x for x in finding_lines(run, "KI009") if "replicas" in x]
    assert len(finding) < 1000
    assert len(run.stderr) < 10_000
    assert run.rss_mb < 600, run.rss_mb


def test_50mb_number_and_tagged_scalar(tmp_path: Path) -> None:
    """Huge numerals once crashed the loader (int() digit limit, float overflow)."""
    digits = "1" * (5 * MB)
    env = f"        env:\n        - name: BIG\n          value: {digits}\n"
    middle = deployment("big-number", extra_container=env) + f'x-tagged: !!int "{digits}x"\n'
    path = tmp_path / "big-number.yaml"
    path.write_bytes(
        sandwich(deployment("big-number", extra_container=env)) + b"---\n" + middle.encode()
    )
    run = convert(path)
    assert run.names()[:3] == ["good-a", "big-number", "good-b"]
    assert all(len(line) < 1000 for line in run.stderr.splitlines())


@pytest.mark.parametrize("amount", ["1e26", '"1e999999"', '"99999999999999999999999999999Ei"'])
def test_huge_resource_quantity(amount: str, tmp_path: Path) -> None:
    """Found by the fuzz run: decimal quantize raised InvalidOperation (exit 3)."""
    block = f"        resources:\n          limits:\n            cpu: {amount}\n"
    block += f"            memory: {amount}\n"
    path = tmp_path / "huge.yaml"
    path.write_bytes(sandwich(deployment("huge", extra_container=block)))
    run = convert(path)
    assert run.rc == 1
    assert run.names() == ["good-a", "huge", "good-b"]
    assert finding_lines(run, "KI408")
    assert all(len(line) < 1000 for line in run.stderr.splitlines())


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity", "inf", "nan"])
def test_quantity_that_is_no_finite_number_is_ki407(amount: str, tmp_path: Path) -> None:
    """Decimal (and the Kubernetes Python client) read NaN and Infinity; the API server does
    not. They were an internal error (InvalidOperation while rounding, exit 3) that lost the
    whole stream; now each is a KI407 at its line and the other documents convert."""
    block = "        resources:\n          limits:\n"
    block += f"            cpu: {amount}\n            memory: {amount}\n"
    block += f"            huawei.com/Ascend310: {amount}\n"
    path = tmp_path / "nan.yaml"
    path.write_bytes(sandwich(deployment("not-a-number", extra_container=block)))
    run = convert(path)
    assert run.rc == 1
    assert {"good-a", "good-b"} <= set(run.names())
    invalid = finding_lines(run, "KI407")
    assert len(invalid) == 3, run.stderr
    assert {line.split(": error")[0] for line in invalid} == {
        f"{path}:24",
        f"{path}:25",
        f"{path}:26",
    }


def test_document_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "sized.yaml"
    path.write_bytes(sandwich(deployment("big", extra_spec=f'  replicas: "{"x" * 5000}"\n')))
    run = convert(path, "--max-document-bytes", "4096")
    assert [x for x in finding_lines(run, "KI011") if f"{path}:12:" in x], run.stderr
    assert run.names() == ["good-a", "good-b"]


def _write_stream(path: Path, total: int, document: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        written = 0
        while written < total:
            text = document.replace("NAME", f"d{count}") + "---\n"
            out.write(text)
            written += len(text)
            count += 1
    return count


def test_100mb_stream_of_large_documents(tmp_path: Path) -> None:
    """100 MB of valid documents (1 MB each) convert with memory bounded by one document."""
    note = "a" * MB
    doc = deployment("NAME").replace("  name: NAME", f"  name: NAME\n  annotations:\n    n: {note}")
    path = tmp_path / "stream.yaml"
    count = _write_stream(path, 100 * MB, doc)
    run = convert(path, "--fail-on", "never", measure_in=tmp_path)
    assert run.rc == 0
    assert len(run.bodies()) == count
    assert run.rss_mb < 300, run.rss_mb


@pytest.mark.slow
def test_100mb_stream_of_small_documents(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """~670,000 small Deployments (takes ~2 minutes on 2 cores: run with -m slow)."""
    if "slow" not in (request.config.getoption("-m") or ""):
        pytest.skip("slow (about 2 minutes): run with -m slow")
    path = tmp_path / "stream.yaml"
    count = _write_stream(path, 100 * MB, deployment("NAME"))
    command = [
        sys.executable,
        "-c",
        _MEASURE,
        str(tmp_path / "stats.json"),
        sys.executable,
        "-m",
        "k8s2ief",
        "convert",
        str(path),
        "--node-id",
        "n",
        "-o",
        "jsonl",
    ]
    with (tmp_path / "out").open("w") as out, (tmp_path / "err").open("w") as err:
        rc = subprocess.call(command, stdout=out, stderr=err, timeout=900)
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert rc == 0
    assert sum(1 for _ in (tmp_path / "out").open()) == count
    assert stats["rss_kb"] / 1024 < 300, stats


def test_symlink_loop_terminates(tmp_path: Path) -> None:
    top = tmp_path / "tree"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "d.yaml").write_text(deployment("looped"))
    (top / "a" / "b" / "up").symlink_to("..")
    (top / "a" / "self").symlink_to(top)
    (top / "a" / "dir.yaml").mkdir()  # a directory with a manifest's name is walked, not read
    run = convert(top)
    assert run.rc == 0
    assert run.names() == ["looped"]


def test_unreadable_entries(tmp_path: Path) -> None:
    top = tmp_path / "tree"
    top.mkdir()
    (top / "a.yaml").write_text(deployment("good-a"))
    (top / "b.yaml").symlink_to(tmp_path / "missing")  # listed as a file, cannot be opened
    (top / "c.yaml").write_text(deployment("good-c"))
    run = convert(top)
    assert run.rc == 2
    [line] = [x for x in run.stderr.splitlines() if "b.yaml" in x]
    assert "cannot read" in line
    assert run.names() == ["good-a", "good-c"]


@pytest.mark.skipif(os.geteuid() == 0, reason="running as root: chmod 000 does not block reads")
def test_chmod_000(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(deployment("x"))
    path.chmod(0)
    run = convert(path)
    assert run.rc == 2
    assert "cannot read" in run.stderr


def test_missing_input_file(tmp_path: Path) -> None:
    run = convert(tmp_path / "nope.yaml")
    assert run.rc == 2
    assert "cannot read" in run.stderr


# --- secrets ------------------------------------------------------------------------------------

PLAIN_MARKER = "S3CRET-PLAIN-MARKER-7f3a"
B64_MARKER = "S3CRET-B64-MARKER-91c2"
B64_ENCODED = base64.b64encode(B64_MARKER.encode()).decode()
MARKERS = (PLAIN_MARKER, B64_MARKER, B64_ENCODED, "S3CRET")


def _secret_stream() -> str:
    secret = f"""\
        apiVersion: v1
        kind: Secret
        metadata:
          name: creds
        type: Opaque
        data:
          PASSWORD: {B64_ENCODED}
          9BAD: {B64_ENCODED}
          weird: [{B64_ENCODED}]
        stringData:
          TOKEN: {PLAIN_MARKER}
          LONG: "{PLAIN_MARKER * 10}"
          NUM: 12
        """
    uses = """\
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef:
              name: creds
              key: PASSWORD
        - name: MISSING
          valueFrom:
            secretKeyRef:
              name: other
              key: nope
        envFrom:
        - secretRef:
            name: creds
        - secretRef:
            name: absent
          prefix: "9"
"""
    uses = textwrap.indent(textwrap.dedent(uses), " " * 8)
    broken_secret = (
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: bad}}\ndata: {{X: {PLAIN_MARKER}"
    )
    return "---\n".join(
        [
            deployment("before", extra_container=uses),
            textwrap.dedent(secret),
            deployment("after", extra_container=uses),
            broken_secret + "\n",  # a syntax error inside a Secret: the message must not quote it
            deployment("last"),
        ]
    )


@pytest.mark.parametrize(
    "options",
    [
        ["-o", "json"],
        ["-o", "jsonl"],
        ["-o", "yaml"],
        ["-o", "json", "--report-format", "json"],
        ["-o", "yaml", "--report-format", "json", "--fail-on", "info"],
    ],
)
def test_secret_values_never_appear(options: list[str], tmp_path: Path) -> None:
    path = tmp_path / "with-secret.yaml"
    path.write_text(_secret_stream())
    run = cli("convert", str(path), "--node-id", "n", *options)
    assert "before" in run.stdout and "last" in run.stdout
    assert "PASSWORD" in run.stdout  # the references are carried, by key name
    for marker in MARKERS:
        assert marker not in run.stdout, marker
        assert marker not in run.stderr, marker


def test_secret_values_never_appear_in_audit(tmp_path: Path) -> None:
    has_audit = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "audit", "--help"], capture_output=True, timeout=TIMEOUT
    )
    if has_audit.returncode != 0:
        pytest.skip("k8s2ief audit does not exist yet")
    path = tmp_path / "with-secret.yaml"
    path.write_text(_secret_stream())
    for extra in ([], ["--format", "json"]):
        done = subprocess.run(
            [sys.executable, "-m", "k8s2ief", "audit", str(path), *extra],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if done.returncode == 2 and extra:
            continue  # that option may not exist
        assert "Traceback" not in done.stderr and done.returncode != 3, done.stderr
        for marker in MARKERS:
            assert marker not in done.stdout + done.stderr, marker

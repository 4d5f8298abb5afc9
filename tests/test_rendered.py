"""Output rendered where it is converted (k8s2ief.rendered), and the indented JSON it writes.

Worker processes of a large convert encode each body and render each report line; the parent
only merges what KI109 and KI320 add (found in input order) and writes. The reference is the
in-process path (K8S2IEF_JOBS=1) through the real CLI, and, for the merge alone, what the
parent did before: check_names' insertion, then the policy, then the report's line order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import corpus_files, needs_corpus
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s2ief.emit import dumps
from k8s2ief.findings import Finding, Policy
from k8s2ief.load import Limits, iter_sources, read_source
from k8s2ief.parallel import PARALLEL_FROM_BYTES
from k8s2ief.pipeline import Converter, DocumentResult, status_of, with_policy
from k8s2ief.rendered import OutputPlan, render_document, with_added
from k8s2ief.report import finding_line
from k8s2ief.report.model import convert_document
from k8s2ief.report.style import Style
from k8s2ief.settings import Settings
from k8s2ief.severity import Severity
from k8s2ief.workers import NameClaim

# --- the indented JSON of -o json ----------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(json_values)
def test_indented_json_is_what_json_dumps_writes(value: object) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


@needs_corpus
def test_indented_json_of_every_corpus_body_is_what_json_dumps_writes() -> None:
    converter = Converter(Settings(node_id="n"))
    bodies = [
        result.body
        for source in iter_sources([str(path) for path in corpus_files()])
        for result in converter.convert_all(read_source(source, Limits()))
        if result.body is not None
    ]
    assert len(bodies) > 300
    for body in bodies:
        assert dumps(body) == json.dumps(body, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "value",
    [
        {"tuple": (1, 2)},
        {1: "a key that is no str"},
        {"enum": Severity.ERROR},  # an int subclass
        [{"nested": {"x": [None, True, 1.5, float("-inf")]}}],
        '\u2028\x00"\\é',
    ],
)
def test_indented_json_of_other_types_is_json_dumps_too(value: object) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


# --- the merge of what a claim adds ----------------------------------------------------------

CODES = ("KI103", "KI202", "KI320", "KI109", "KI010")
findings_at = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from([None, 1, 2, 5, 9])), max_size=6
)
policies = st.sampled_from(
    [
        Policy(),
        Policy.build(ignore=["KI320"]),
        Policy.build(ignore=["KI1"]),
        Policy.build(severities={"KI320": "info", "KI202": "error"}),
        Policy.build(ignore=["KI202"], severities={"KI109": "warning"}),
    ]
)


def finding(code: str, line: int | None, n: int) -> Finding:
    from k8s2ief.codes import severity_of

    return Finding(code, severity_of(code), f"path{n}", f"message {n}", "in.yaml", line)


@settings(max_examples=500, deadline=None)
@given(
    findings_at,
    findings_at,
    st.integers(min_value=0, max_value=6),
    policies,
    st.sampled_from([frozenset(), frozenset({"KI320"})]),
    st.sampled_from(["text", "json"]),
)
def test_added_findings_go_where_the_in_order_parent_put_them(
    own: list[tuple[str, int | None]],
    extra: list[tuple[str, int | None]],
    index: int,
    policy: Policy,
    ignore: frozenset[str],
    report: str,
) -> None:
    found = sorted(
        (finding(code, line, n) for n, (code, line) in enumerate(own)), key=lambda f: f.line or 0
    )
    added = [finding(code, line, 100 + n) for n, (code, line) in enumerate(extra)]
    index = min(index, len(found))

    def result() -> DocumentResult:
        status = status_of(found)
        return DocumentResult(
            "in.yaml", 1, "Deployment", "web", status, {"name": "web"}, list(found), ignore=ignore
        )

    # What the parent did: check_names inserts, the policy, then the report's order.
    reference = result()
    reference.findings[index:index] = added
    if added:
        reference.status = status_of(reference.findings)
    kept = with_policy(reference, policy)
    expected = convert_document(kept, suppressed=len(reference.findings) - len(kept.findings))

    style = Style(True) if report == "text" else None
    plan = OutputPlan(policy, "json", False, style)
    claim = NameClaim("web", index, None)
    document = with_added(render_document(result(), plan, claim), added, plan)

    assert document.status == expected.status
    assert document.suppressed == expected.suppressed
    assert document.codes == tuple(f.code for f in expected.findings)
    assert document.severities == tuple(f.severity for f in expected.findings)
    if style is None:
        assert document.findings == expected.findings
    else:
        assert document.lines == tuple(finding_line(f, style) + "\n" for f in expected.findings)


# --- through the CLI: workers against the in-process path ------------------------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop{annotations}
spec:
  revisionHistoryLimit: 3
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 8080
          hostPort: {port}
        - containerPort: 9090
          hostPort: 9090
"""


@pytest.fixture(scope="module")
def stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Over the size that starts workers: names and node ports used again and again, far apart
    (so that they cross tasks), some documents ignoring KI320 by annotation."""
    path = tmp_path_factory.mktemp("rendered") / "stream.yaml"
    parts = []
    size = n = 0
    while size < PARALLEL_FROM_BYTES * 1.3:
        annotations = "\n  annotations: {k8s2ief.io/ignore: KI320}" if n % 7 == 3 else ""
        name = f"web-{n % 900}" if n % 5 == 0 else f"app-{n}"  # every fifth: a name used again
        text = DEPLOYMENT.format(name=name, annotations=annotations, port=8000 + n % 1300)
        parts.append(text)
        size += len(text) + 4
        n += 1
    path.write_text("---\n".join(parts))
    return path


def run(args: list[str], jobs: int, cwd: Path) -> tuple[int, str, str]:
    env = {**os.environ, "K8S2IEF_JOBS": str(jobs)}
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "convert", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=600,
    )
    return done.returncode, done.stdout, done.stderr


def files(top: Path) -> dict[str, str]:
    return {str(p.relative_to(top)): p.read_text() for p in sorted(top.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["-o", "jsonl", "--report-format", "json", "--ignore", "KI109"],
        ["-o", "yaml", "--severity", "KI320=info", "--color", "always", "--fail-on", "warning"],
        [
            "--ignore",
            "KI3",
            "--color",
            "always",
            "--report-file",
            "report.txt",
            "--output-dir",
            "out",
        ],
        ["-o", "yaml", "--report-format", "json", "--output-dir", "out", "--severity", "KI1=error"],
    ],
    ids=[
        "json-text",
        "jsonl-json-ignore",
        "yaml-severity-color",
        "dir-ignore-prefix",
        "dir-yaml-json",
    ],
)
def test_workers_write_what_one_process_writes(
    stream: Path, options: list[str], tmp_path: Path
) -> None:
    outputs = []
    for jobs in (1, 2):
        cwd = tmp_path / f"jobs{jobs}"
        cwd.mkdir()
        code, out, err = run([str(stream), "--node-id", "n", *options], jobs, cwd)
        outputs.append((code, out, err, files(cwd)))
    assert outputs[0][0] == outputs[1][0], "exit codes differ"
    assert outputs[0][1] == outputs[1][1], "stdout differs"
    assert outputs[0][2] == outputs[1][2], "stderr differs"
    assert outputs[0][3] == outputs[1][3], "written files differ"
    # The stream exercised what it is for: the parent added KI109 and KI320 (unless ignored).
    code, out, err, written = outputs[0]
    report = err + "".join(written.values())
    if "KI109" not in options:
        assert report.count("KI109") > 50
    if "KI3" not in options:
        assert report.count("KI320") > 500
    # --output-dir refuses a second body of one name (exit 2); stdout carries no body then.
    assert code == (2 if "--output-dir" in options else 1)


@needs_corpus
def test_the_corpus_twice_on_one_node(tmp_path: Path) -> None:
    # Every real manifest again after the whole corpus: the parent adds KI109 and KI320 to
    # documents of every shape the corpus has, among findings of the same lines.
    stream = tmp_path / "twice.yaml"
    with stream.open("wb") as out:
        for _ in range(2):
            for path in corpus_files():
                if path.suffix != ".json":
                    text = path.read_bytes()
                    out.write((text if text.endswith(b"\n") else text + b"\n") + b"---\n")
    plain, fast = (run([str(stream), "--node-id", "n"], jobs, tmp_path) for jobs in (1, 2))
    assert plain == fast
    assert plain[2].count(" KI109 ") > 300 and plain[2].count(" KI320 ") > 500

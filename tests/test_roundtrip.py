"""Outputs that round-trip (issue 15): validate reads every body format convert writes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from clirun import GOLDEN, ROOT, k8s2ief
from hypothesis import given, settings
from hypothesis import strategies as st

from k8s2ief.emit import YamlWriter
from k8s2ief.load import Limits, Source, read_source

SHOP = ROOT / "examples" / "shop.yaml"  # converts without errors
SEVERAL = GOLDEN / "names-and-targets" / "input.yaml"  # several deployments, one without a name


def count_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
@pytest.mark.parametrize("node", ["n", "edge-node-1", "on", "123"])  # "n": a boolean in YAML 1.1
def test_validate_accepts_what_convert_writes(fmt: str, node: str, tmp_path: Path) -> None:
    bodies = k8s2ief("convert", SHOP, "--node-id", node, "-o", fmt)
    assert bodies.returncode == 0, bodies.stderr
    out = tmp_path / f"bodies.{fmt}"
    out.write_text(bodies.stdout)
    for source in (str(out), "-"):
        done = k8s2ief("validate", source, stdin=bodies.stdout)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout == ""
        assert count_line(done.stderr) == "k8s2ief: 1 body(ies) checked"


@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml"])
def test_several_bodies_in_every_format(fmt: str) -> None:
    bodies = k8s2ief("convert", SEVERAL, "--node-id", "n1", "-o", fmt).stdout
    done = k8s2ief("validate", "-", stdin=bodies)
    n = len(json.loads(k8s2ief("convert", SEVERAL, "--node-id", "n1", "-o", "json").stdout))
    assert count_line(done.stderr) == f"k8s2ief: {n} body(ies) checked"
    # the same one violation (a body without a name) in every format
    assert done.returncode == 1
    [violation] = done.stdout.splitlines()
    assert violation.endswith("$: missing required field 'name' [schema.required]")


def test_a_broken_json_line_is_unreadable_and_the_others_checked() -> None:
    good = k8s2ief("convert", SHOP, "--node-id", "n1", "-o", "jsonl").stdout
    done = k8s2ief("validate", "-", stdin=good + "{not json\n" + good)
    assert done.returncode == 2
    assert "<stdin>:2: invalid JSON line" in done.stderr
    assert count_line(done.stderr) == "k8s2ief: 2 body(ies) checked"


scalar = st.one_of(
    st.sampled_from(
        [
            "n",
            "y",
            "on",
            "off",
            "yes",
            "NO",
            "~",
            "null",
            "",
            "1e3",
            "0x1F",
            "08",
            "1:20",
            "2024-01-01",
            ".inf",
            ".nan",
            "-",
            "true",
        ]
    ),
    st.text(max_size=8),
    st.integers(-(2**53), 2**53),
    st.booleans(),
)
value = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6), value, max_size=4))
def test_yaml_output_reads_back_as_written_under_kubernetes_rules(body: dict[str, object]) -> None:
    text = io.StringIO()
    writer = YamlWriter(text)
    writer.write(body, None)
    writer.write(body, None)
    data = text.getvalue().encode()
    documents = list(read_source(Source("<yaml>", lambda: io.BytesIO(data)), Limits()))
    assert [d.error for d in documents] == [None, None]
    assert [d.data for d in documents] == [body, body]

"""The fast path (k8s2ief.parallel: worker processes) answers exactly what the plain path does.

K8S2IEF_JOBS=1 converts in order in one process (the reference); K8S2IEF_JOBS=2 cuts the input
into tasks converted by two workers whenever the input is over PARALLEL_FROM_BYTES. Both must
print the same bodies and the same report, byte for byte: on the whole shared corpus (every
oddity in it), and on a stream replicated from it so that tasks split documents with the same
IEF name (KI109 crosses tasks) and ConfigMaps apart from the Deployments that read them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, corpus_files, needs_corpus

from k8s2ief.parallel import PARALLEL_FROM_BYTES, TASK_BYTES


def convert(args: list[str], jobs: int) -> tuple[int, str, str]:
    env = {**os.environ, "K8S2IEF_JOBS": str(jobs)}
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "convert", *args], capture_output=True, text=True,
        env=env, cwd=ROOT, check=False,
    )
    return done.returncode, done.stdout, done.stderr


def same_both_ways(args: list[str]) -> None:
    plain = convert(args, 1)
    fast = convert(args, 2)
    assert plain[0] == fast[0], "exit codes differ"
    assert plain[1] == fast[1], "stdout differs"
    assert plain[2] == fast[2], "report differs"


@needs_corpus
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_whole_corpus(fmt: str) -> None:
    size = sum(p.stat().st_size for p in corpus_files())
    assert size > PARALLEL_FROM_BYTES  # else this would not exercise the workers
    same_both_ways([str(CORPUS), "--node-id", "n", "--report-format", fmt])


@needs_corpus
def test_replicated_stream_with_duplicate_names(tmp_path: Path) -> None:
    texts = [p.read_bytes() for p in corpus_files() if p.suffix != ".json"]
    stream = tmp_path / "stream.yaml"
    with stream.open("wb") as out:
        written = 0
        while written < 3 * PARALLEL_FROM_BYTES:
            for text in texts:
                out.write(text if text.endswith(b"\n") else text + b"\n")
                out.write(b"---\n")
                written += len(text)
    assert written > 4 * TASK_BYTES
    missing = tmp_path / "missing.yaml"  # unreadable, between two large inputs
    same_both_ways([str(stream), str(missing), str(stream), "--group-id", "g", "-o", "jsonl"])


def test_small_input_and_unreadable_sources(tmp_path: Path) -> None:
    # Below the threshold the fast path converts in process; a missing file and a directory
    # named like a manifest are reported in their place either way.
    good = ROOT / "examples" / "shop.yaml"
    odd = tmp_path / "dir.yaml"
    odd.mkdir()
    same_both_ways([str(good), str(tmp_path / "missing.yaml"), str(odd), "--node-id", "n"])

"""Shared test set-up.

The Huawei SDK writes $HOME/.huaweicloud/application_id when first imported. Every test process
(and the CLI subprocesses it starts, which inherit the environment) gets a temporary HOME, so no
test ever touches the real one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT.parent / "shared" / "corpus").resolve()

_HOME = tempfile.mkdtemp(prefix="k8s2ief-test-home-")
os.environ["HOME"] = _HOME


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


def tree_paths(value: object, path: tuple = (), *, leaves_only: bool = False) -> Iterator[tuple]:
    """Every path in a JSON-like tree (or only its leaves: scalars and empty collections)."""
    children: Iterable[tuple[object, object]] = ()
    if isinstance(value, dict):
        children = value.items()
    elif isinstance(value, list):
        children = enumerate(value)
    is_leaf = not value or not isinstance(value, (dict, list))
    if not leaves_only or is_leaf:
        yield path
    for key, child in children:
        yield from tree_paths(child, (*path, key), leaves_only=leaves_only)


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))


needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}"
)

"""The envFrom pre-scan's chunk test (pipeline._may_be_sibling) answers what its expression does.

The scan parses only chunks whose text could make a ConfigMap or Secret. The rule is the
regular expression below; the pipeline writes it with bytes.find (re stepped through every
byte). Compared here on crafted texts, every boundary case of both words, and the corpus.
"""

from __future__ import annotations

import re

import pytest
from conftest import corpus_files

from k8s2ief.load.split import split_documents
from k8s2ief.pipeline import _may_be_sibling

RULE = re.compile(rb"(?<![A-Za-z0-9_])(?:ConfigMap|Secret)(?![A-Za-z0-9_])|\\|binary")

CRAFTED = [
    b"",
    b"kind: Secret\n",
    b"kind: ConfigMap",
    b"Secret",
    b"imagePullSecrets:\n- name: x\n",
    b"secretKeyRef: {}\n",
    b"configMapKeyRef: {}\n",
    b"name: my-Secret-2\n",
    b"name: my_Secret\n",
    b"name: Secret9\n",
    b"name: 9ConfigMap\n",
    b"a: ConfigMaps ConfigMap_\n",
    b"a: SecretSecret\n",
    b"a: xSecret Secret\n",
    b'kind: "Sec\\x72et"\n',
    b"data: !!binary aGk=\n",
    b"a: binary\n",
    b"a: \xffSecret\xff\n",
    b"a: \xc3\xa9ConfigMap\n",
]


def _boundary_cases() -> list[bytes]:
    cases = []
    for word in (b"ConfigMap", b"Secret"):
        for before in (b"", b" ", b"a", b"Z", b"0", b"_", b"-", b"\n", b"\x80", b"."):
            for after in (b"", b" ", b"s", b"Q", b"9", b"_", b":", b"\n", b"\xff", b"/"):
                cases.append(before + word + after)
                cases.append(b"x" + before + word + after + word)
    return cases


@pytest.mark.parametrize("text", CRAFTED + _boundary_cases())
def test_crafted(text: bytes) -> None:
    assert _may_be_sibling(text) == bool(RULE.search(text))


@pytest.mark.skipif(not corpus_files(), reason="the shared corpus is not there")
def test_corpus_chunks() -> None:
    answers = []
    for path in corpus_files():
        with path.open("rb") as stream:
            for chunk in split_documents(stream, 64 << 20):
                expected = bool(RULE.search(chunk.text))
                assert _may_be_sibling(chunk.text) == expected, (path, chunk.first_line)
                answers.append(expected)
    assert True in answers and False in answers  # both answers were met

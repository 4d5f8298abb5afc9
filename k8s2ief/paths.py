"""Field paths: tuples of keys and list indexes, rendered in the manifest's own key names."""

from __future__ import annotations

import re
from functools import lru_cache

Key = str | int
Path = tuple[Key, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")


@lru_cache(maxsize=8192)  # the same paths recur in every document of a stream
def render(path: Path) -> str:
    """``("spec", "containers", 0, "image")`` -> ``spec.containers[0].image``.

    Keys that are not plain identifiers (annotation and label keys) are quoted:
    ``metadata.annotations["k8s2ief.io/node-id"]``.
    """
    out: list[str] = []
    for key in path:
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif _PLAIN_KEY.match(key):
            out.append(f".{key}" if out else key)
        else:
            out.append(f'["{key}"]')
    return "".join(out)


@lru_cache(maxsize=8192)  # the rule tables look up the same few hundred paths per document
def pattern_of(path: Path) -> str:
    """The path with list indexes as ``[*]``, used to look fields up in rule tables."""
    return render(tuple("*" if isinstance(k, int) else k for k in path)).replace('["*"]', "[*]")

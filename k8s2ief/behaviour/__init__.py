"""A behavioural model of both sides: what Kubernetes would run for a Deployment, what IEF would
run for the body converted from it, and which differences the findings cover.

It is what "equivalent" means for this tool: the converter is correct when every difference
between ``kubernetes_facts`` and ``ief_facts`` is covered by a finding of the severity it
deserves (``k8s2ief.behaviour.coverage.COVERS``). tests/test_behaviour_corpus.py checks that
over the corpus and every golden case.

The converter's rules share the model's facts (``k8s2ief.behaviour.kubernetes``, ``.expansion``);
the comparison itself (``.comparison``, with ``.coverage`` and ``.ief``) is loaded only when used,
so converting does not pay for it at start-up.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "Difference": "coverage",
    "Seen": "coverage",
    "differences": "coverage",
    "uncovered": "coverage",
    "ief_facts": "ief",
    "kubernetes_facts": "kubernetes",
    "compare": "comparison",
    "container_paths": "comparison",
    "uncovered_differences": "comparison",
    "node_port_clashes": "comparison",
}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)

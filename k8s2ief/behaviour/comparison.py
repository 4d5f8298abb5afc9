"""The comparison of both sides: differences, and those no finding covers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from k8s2ief.behaviour.coverage import Difference, Seen, differences, uncovered
from k8s2ief.behaviour.ief import ief_facts
from k8s2ief.behaviour.kubernetes import Siblings, containers, kubernetes_facts, pod_spec
from k8s2ief.paths import render

POD = ("spec", "template", "spec")


def container_paths(manifest: Mapping[str, object]) -> dict[str, list[str]]:
    """Container name -> the manifest paths of the containers of that name."""
    paths: dict[str, list[str]] = {}
    for key, index, item in containers(pod_spec(manifest)):
        paths.setdefault(str(item.get("name")), []).append(render((*POD, key, index)))
    return paths


def compare(
    manifest: Mapping[str, object], body: dict, siblings: Siblings | None = None
) -> list[Difference]:
    """Every behavioural difference between the Deployment and the body."""
    group = "group_id" in body
    return differences(
        kubernetes_facts(manifest, siblings or {}, group_target=group), ief_facts(body)
    )


def uncovered_differences(
    manifest: Mapping[str, object],
    body: dict,
    findings: Iterable[Seen],
    siblings: Siblings | None = None,
) -> list[Difference]:
    """The differences no finding of the document covers (each one is a converter bug)."""
    return uncovered(compare(manifest, body, siblings), findings, container_paths(manifest))


def node_port_clashes(bodies: Iterable[dict]) -> list[list[int]]:
    """Per body, the node ports an earlier body of the run already binds on the same node."""
    taken: dict[tuple[str, int], int] = {}
    result: list[list[int]] = []
    for body in bodies:
        node = body.get("node_ids")
        clashes: list[int] = []
        if isinstance(node, list) and node:
            ports = {k[2] for k in ief_facts(body) if k[0] == "bind"}
            for port in sorted(ports):  # type: ignore[type-var]
                if (str(node[0]), port) in taken:  # type: ignore[index]
                    clashes.append(port)  # type: ignore[arg-type]
                taken.setdefault((str(node[0]), port), 1)  # type: ignore[index]
        result.append(clashes)
    return result


__all__ = [
    "Difference",
    "Seen",
    "compare",
    "container_paths",
    "ief_facts",
    "kubernetes_facts",
    "node_port_clashes",
    "uncovered_differences",
]

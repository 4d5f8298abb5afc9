"""Mapping rules: one Deployment manifest -> one IEF request body, plus what could not be carried.

Each module mirrors a part of the IEF body (metadata, pod configs, containers, resources,
probes, volumes, affinity). ``convert_manifest`` composes them in the body's order; the
accounting walk then reports every field none of them consumed.
"""

from __future__ import annotations

from k8s2ief.ief import contract
from k8s2ief.rules import accounting, affinity, host_ports, metadata, origins, pod
from k8s2ief.rules.containers import PodContext, container
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import Ledger, RawFinding, View
from k8s2ief.rules.metadata import ANNOTATION_AUTONOMY, ANNOTATION_RING, RING_CONTROLLERS
from k8s2ief.rules.volumes import PodVolumes
from k8s2ief.settings import Settings

PROFESSIONAL_REPLICAS = contract.REPLICAS_MAX[contract.PROFESSIONAL]
PLATINUM_REPLICAS_BELOW = contract.REPLICAS_MAX[contract.PLATINUM] + 1


@handles('metadata.annotations["k8s2ief.io/source"]')
def convert_manifest(
    data: dict[str, object], settings: Settings, ledger: Ledger | None = None
) -> tuple[dict[str, object], list[RawFinding]]:
    """Convert one Deployment (already known to be one). Never raises on bad field values.

    Pass a ``ledger`` to inspect afterwards what was consumed (the accounting tests do).
    """
    ledger = ledger if ledger is not None else Ledger()
    root = View(data, (), ledger)
    root.consume("apiVersion", "kind")
    meta = root.child("metadata")
    ours = metadata.annotations(meta)
    name = metadata.deployment_name(meta, settings)
    if name is None:
        ledger.report(
            "KI102",
            ("metadata",),
            "metadata.name is missing; give one or use --name",
            consume=False,
        )
    node_id, group_id = metadata.target(meta, ours, settings)

    body: dict[str, object] = {"name": name}
    description = metadata.description(meta, ours)
    if description:
        body["description"] = description
    if metadata.ANNOTATION_SOURCE in ours:
        body["source"] = ours[metadata.ANNOTATION_SOURCE]
    if group_id:
        body["group_id"] = group_id
    elif node_id:
        body["node_ids"] = [node_id]
    else:
        ledger.report(
            "KI107",
            (),
            "no target: pass --node-id or --group-id, or annotate the Deployment with "
            f"{metadata.ANNOTATION_NODE} or {metadata.ANNOTATION_GROUP}",
            consume=False,
        )
    tags = metadata.tags(meta)
    if tags:
        body["tags"] = tags
    spec = root.child("spec")
    body["deployment"] = _deployment(spec, ours, settings, ledger, group_target=bool(group_id))
    findings = ledger.findings + accounting.leftovers(data, ledger)
    return origins.finish_body(body, ledger), findings


def _deployment(
    spec: View | None,
    ours: dict[str, str],
    settings: Settings,
    ledger: Ledger,
    *,
    group_target: bool,
) -> dict[str, object]:
    replicas = _replicas(spec, settings)
    template = spec.child("template") if spec else None
    pod_view = template.child("spec") if template else None
    if pod_view is None:
        ledger.report(
            "KI317", ("spec", "template"), "the Deployment has no pod template spec", consume=False
        )
    result: dict[str, object] = {
        "replicas": replicas,
        "template": _template(pod_view, ours, settings, group_target, replicas),
    }
    extras = _annotations(ours, ledger)
    if extras:
        result["annotations"] = extras
    return result


@handles("spec.replicas")
def _replicas(spec: View | None, settings: Settings) -> int:
    replicas = spec.integer("replicas") if spec else None
    if replicas is None:
        return 1
    if settings.platinum:
        allowed = 1 <= replicas < PLATINUM_REPLICAS_BELOW
        limit = f"1 to {PLATINUM_REPLICAS_BELOW - 1} replicas"
    else:
        allowed = replicas == PROFESSIONAL_REPLICAS
        limit = "exactly 1 replica (use --edition platinum for more)"
    if not allowed:
        spec.note(  # type: ignore[union-attr]
            "replicas",
            "KI201",
            f"replicas {replicas} breaks the {settings.edition} edition's limit of {limit}",
        )
    return replicas


@handles("spec.template.spec.initContainers", "spec.template.spec.containers")
def _template(
    pod_view: View | None,
    ours: dict[str, str],
    settings: Settings,
    group_target: bool,
    replicas: int,
) -> dict[str, object]:
    template: dict[str, object] = {"configs": pod.configs(pod_view, ours, group_target)}
    rules = affinity.convert(pod_view, settings, node_target=not group_target)
    if rules:
        template["affinity"] = rules
    if pod_view is None:
        template["containers"] = []
        return template
    security = pod_view.child("securityContext")
    ctx = PodContext(
        settings=settings,
        pod=pod_view,
        pod_run_as_user=security.integer("runAsUser") if security else None,
        volumes=PodVolumes(pod_view),
        host_network=pod_view.peek("hostNetwork") is True,
    )
    init = [container(v, ctx, init=True) for v in pod_view.children("initContainers")]
    apps = [container(v, ctx, init=False) for v in pod_view.children("containers")]
    if init:
        template["init_containers"] = init
    template["containers"] = apps
    if not apps:
        pod_view.ledger.report(
            "KI317", pod_view.at("containers"), "the pod has no containers", consume=False
        )
    _unique_names(pod_view, init, apps)
    ctx.volumes.report_unused()
    host_ports.check_conflicts(
        ctx.bound, replicas, one_node=not group_target, ledger=pod_view.ledger
    )
    pod_view.ledger.node_ports.extend(ctx.bound)
    return template


def _unique_names(pod_view: View, init: list[dict], apps: list[dict]) -> None:
    seen: set[object] = set()
    for kind, group in (("initContainers", init), ("containers", apps)):
        for index, item in enumerate(group):
            if item.get("name") in seen:
                pod_view.ledger.report(
                    "KI318",
                    (*pod_view.path, kind, index, "name"),
                    f"container name {item['name']} is used twice; IEF needs unique names",
                    consume=False,
                )
            seen.add(item.get("name"))


@handles(
    'metadata.annotations["k8s2ief.io/ring-controller"]',
    'metadata.annotations["k8s2ief.io/autonomy-edge-selector"]',
)
def _annotations(ours: dict[str, str], ledger: Ledger) -> dict[str, str]:
    result: dict[str, str] = {}
    ring = ours.get(ANNOTATION_RING)
    if ring is not None:
        if ring in RING_CONTROLLERS:
            result["ring_controller"] = ring
        else:
            ledger.report(
                "KI111",
                ("metadata", "annotations", ANNOTATION_RING),
                f"{ANNOTATION_RING} must be one of {', '.join(RING_CONTROLLERS)}, not {ring!r}",
                consume=False,
            )
    selector = ours.get(ANNOTATION_AUTONOMY)
    if selector:
        result["autonomy_edge_selector"] = selector
    return result

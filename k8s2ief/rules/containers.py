"""ContainerDef: name, image, command and args, env, ports, security; the rest delegated."""

from __future__ import annotations

from k8s2ief.ief import contract
from k8s2ief.records import FrozenRecord, slot_setters
from k8s2ief.rules import environment, host_ports, probes, resources, volumes
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import View, shorten
from k8s2ief.rules.metadata import NAME_RULE, suggest_name
from k8s2ief.rules.origins import record
from k8s2ief.settings import Settings

COMMAND_MAX = contract.ARGV_MAX
RUN_AS_USER_MIN, RUN_AS_USER_MAX = contract.RUN_AS_USER_MIN, contract.RUN_AS_USER_MAX
HOST_IP_FIELD = "status.hostIP"


class PodContext(FrozenRecord):
    """What the container rules need from the pod around them."""

    __slots__ = ("settings", "pod", "pod_run_as_user", "volumes", "host_network", "bound")  # noqa: RUF023 (the order of __init__)
    settings: Settings
    pod: View | None
    pod_run_as_user: int | None
    volumes: volumes.PodVolumes
    host_network: bool
    # Node ports the pod's containers bind, with the manifest path of each (host_ports.py).
    bound: list[host_ports.Bound]

    def __init__(
        self,
        settings: Settings,
        pod: View | None,
        pod_run_as_user: int | None,
        volumes: volumes.PodVolumes,
        host_network: bool = False,
        bound: list[host_ports.Bound] | None = None,
    ) -> None:
        _set_settings(self, settings)
        _set_pod(self, pod)
        _set_pod_run_as_user(self, pod_run_as_user)
        _set_volumes(self, volumes)
        _set_host_network(self, host_network)
        _set_bound(self, [] if bound is None else bound)


(
    _set_settings,
    _set_pod,
    _set_pod_run_as_user,
    _set_volumes,
    _set_host_network,
    _set_bound,
) = slot_setters(PodContext)


@handles(
    "spec.template.spec.containers[*].command",
    "spec.template.spec.containers[*].args",
    "spec.template.spec.containers[*].securityContext.privileged",
)
def container(view: View, ctx: PodContext, *, init: bool) -> dict[str, object]:
    """One Kubernetes container -> one IEF ContainerDef, keys in the API's order."""
    body: dict[str, object] = {"name": _name(view), "image_url": _image(view)}
    record(view.ledger, body, view.path)
    command, args = view.strings("command"), view.strings("args")
    if args is not None:
        body["args"] = args
    if command is not None:
        body["command"] = command
    for key, parts in (("command", command), ("args", args)):
        total = sum(len(part) for part in parts or [])
        if total > COMMAND_MAX:  # both editions limit command and args each, not their sum
            view.note(key, "KI305", f"{key} holds {total} characters; IEF allows {COMMAND_MAX}")
    port_names = host_ports.ports_by_name(view)
    limits = resources.convert(view, ctx.settings)
    if limits.body:
        body["resources"] = limits.body
    envs = environment.env(view, ctx.settings)
    if envs:
        body["envs"] = envs
    mapped_ports = host_ports.ports(
        view, ctx.settings, ctx.bound, host_network=ctx.host_network, init=init
    )
    if mapped_ports:
        body["ports"] = mapped_ports
    security = view.child("securityContext")
    privileged = security.flag("privileged") if security else None
    if privileged is not None:
        body["privileged"] = privileged
        if privileged:
            security.note(  # type: ignore[union-attr]
                "privileged",
                "KI801",
                "privileged container: it has full access to the edge node's devices and kernel",
            )
    run_as_user = _run_as_user(security, ctx.pod_run_as_user)
    if run_as_user is not None:
        body["run_as_user"] = run_as_user
    for key, target in (("readinessProbe", "readiness_probe"), ("livenessProbe", "liveness_probe")):
        probe = probes.convert(view, key, port_names)
        if probe is not None:
            body[target] = probe
    mounts = ctx.volumes.mounts_for(view)
    if mounts:
        body["volumes"] = mounts
    if limits.npu_type:
        body["npu_type"] = limits.npu_type
    if init and "restartPolicy" in view:
        view.report(
            "restartPolicy",
            "KI314",
            "a native sidecar (init container with restartPolicy Always) never ends, so on IEF "
            "it would block the app containers; make it an app container",
        )
    return body


@handles("spec.template.spec.containers[*].name")
def _name(view: View) -> str | None:
    name = view.text("name")
    if name is None:
        view.ledger.report("KI308", view.path, "container has no name", consume=False)
    elif not NAME_RULE.fullmatch(name):
        view.note(
            "name",
            "KI308",
            f"container name {shorten(name)!r} is not valid on IEF (lowercase letters, digits, "
            f"'-', at most 32); rename it, e.g. {suggest_name(name)!r}",
        )
    return name


@handles("spec.template.spec.containers[*].image")
def _image(view: View) -> str | None:
    image = view.text("image")
    if not image:
        view.ledger.report("KI309", view.path, "container has no image", consume=False)
    return image


@handles(
    "spec.template.spec.containers[*].securityContext.runAsUser",
    "spec.template.spec.securityContext.runAsUser",
)
def _run_as_user(security: View | None, pod_default: int | None) -> int | None:
    user = security.integer("runAsUser") if security else None
    if user is None:
        return pod_default
    if not RUN_AS_USER_MIN <= user <= RUN_AS_USER_MAX:
        security.note(  # type: ignore[union-attr]
            "runAsUser",
            "KI803",
            f"runAsUser {user} is outside IEF's range {RUN_AS_USER_MIN}..{RUN_AS_USER_MAX}",
        )
    return user

"""ContainerDef: name, image, command and args, env, ports, security; the rest delegated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from k8s2ief.load.scalars import go_float
from k8s2ief.rules import probes, resources, volumes
from k8s2ief.rules.ledger import View, describe, shorten
from k8s2ief.rules.metadata import NAME_RULE, suggest_name
from k8s2ief.settings import Settings

COMMAND_MAX = 65536
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RUN_AS_USER_MAX = 65534
HOST_IP_FIELD = "status.hostIP"


@dataclass(frozen=True)
class PodContext:
    """What the container rules need from the pod around them."""

    settings: Settings
    pod: View | None
    pod_run_as_user: int | None
    volumes: volumes.PodVolumes
    host_network: bool = False


def container(view: View, ctx: PodContext, *, init: bool) -> dict[str, object]:
    """One Kubernetes container -> one IEF ContainerDef, keys in the API's order."""
    body: dict[str, object] = {"name": _name(view), "image_url": _image(view)}
    command, args = view.strings("command"), view.strings("args")
    if args is not None:
        body["args"] = args
    if command is not None:
        body["command"] = command
    total = sum(len(part) for part in (command or []) + (args or []))
    if total > COMMAND_MAX:
        view.note(
            "command" if command else "args",
            "KI305",
            f"command and args hold {total} characters; IEF allows {COMMAND_MAX} in total",
        )
    port_names = ports_by_name(view)
    limits = resources.convert(view, ctx.settings)
    if limits.body:
        body["resources"] = limits.body
    envs = env(view, ctx.settings)
    if envs:
        body["envs"] = envs
    mapped_ports = ports(view, ctx.settings, host_network=ctx.host_network)
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
    for key, field in (("readinessProbe", "readiness_probe"), ("livenessProbe", "liveness_probe")):
        probe = probes.convert(view, key, port_names)
        if probe is not None:
            body[field] = probe
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


def _image(view: View) -> str | None:
    image = view.text("image")
    if not image:
        view.ledger.report("KI309", view.path, "container has no image", consume=False)
    return image


def _run_as_user(security: View | None, pod_default: int | None) -> int | None:
    user = security.integer("runAsUser") if security else None
    if user is None:
        return pod_default
    if not 0 <= user <= RUN_AS_USER_MAX:
        security.note(  # type: ignore[union-attr]
            "runAsUser", "KI803", f"runAsUser {user} is outside IEF's range 0..{RUN_AS_USER_MAX}"
        )
    return user


# --- env ---------------------------------------------------------------------------------------


def env(view: View, settings: Settings) -> list[dict[str, object]]:
    """Env entries in order; a later duplicate replaces an earlier one, as in Kubernetes."""
    entries: dict[str, dict[str, object]] = {}
    for item in view.children("env"):
        name = item.text("name")
        if name is None:
            item.ledger.report("KI302", item.path, "env entry has no name", consume=False)
            continue
        if not ENV_NAME.fullmatch(name):
            item.note(
                "name",
                "KI302",
                f"env name {shorten(name)!r} is not valid on IEF (letters, digits and '_', not "
                "starting with a digit); the variable was left out",
            )
            item.ledger.consume(item.path)  # the finding covers the whole entry
            continue
        entry = _env_entry(item, name)
        if entry is None:
            item.ledger.consume(item.path)  # dropped with a finding that names it
            continue
        if name in entries:
            item.note("name", "KI303", f"env {name} is set twice; the last value wins")
            del entries[name]
        entries[name] = entry
    for entry in expand_env_from(view, settings):
        entries.setdefault(str(entry["name"]), entry)
    return list(entries.values())


def _env_entry(item: View, name: str) -> dict[str, object] | None:
    if "valueFrom" in item:
        source = item.child("valueFrom")
        return _value_from(source, name) if source else None
    raw = item.take("value")
    if raw is None:
        return {"name": name, "value": ""}
    if isinstance(raw, str):
        return {"name": name, "value": raw}
    text = _json_text(raw)
    item.note(
        "value",
        "KI301",
        f"env {name} has {describe(raw)} where Kubernetes demands a string, so the API server "
        f"rejects it; quote it (value: \"{shorten(text)}\"); emitted as that string",
    )
    return {"name": name, "value": text}


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def _value_from(source: View, name: str) -> dict[str, object] | None:
    for key, field in (("secretKeyRef", "secret"), ("configMapKeyRef", "configmap")):
        ref = source.child(key)
        if ref is None:
            continue
        if "optional" in ref:
            ref.report(
                "optional",
                "KI313",
                f"optional is not carried: on IEF env {name} needs its {field} key to exist",
            )
        ref_name, ref_key = ref.text("name"), ref.text("key")
        if not ref_name or not ref_key:
            source.note(key, "KI312", f"env {name}: {key} needs a name and a key")
            return None
        return {"name": name, "value_from": {field: {"name": ref_name, "key": ref_key}}}
    field_ref = source.child("fieldRef")
    if field_ref is not None:
        path = field_ref.text("fieldPath")
        field_ref.consume("apiVersion")
        if path == HOST_IP_FIELD:
            return {"name": name, "field_path": HOST_IP_FIELD}
        field_ref.note(
            "fieldPath",
            "KI312",
            f"env {name}: fieldRef {path} has no IEF equivalent (IEF offers {HOST_IP_FIELD} only); "
            "the variable was left out",
        )
        return None
    if "resourceFieldRef" in source:
        source.report(
            "resourceFieldRef",
            "KI312",
            f"env {name}: resourceFieldRef has no IEF equivalent; the variable was left out",
        )
    return None


def expand_env_from(view: View, settings: Settings) -> list[dict[str, object]]:
    """envFrom expands when the ConfigMap or Secret is in the same input (references only)."""
    result: list[dict[str, object]] = []
    for item in view.children("envFrom"):
        prefix = item.text("prefix", "") or ""
        for key, kind, field in (
            ("configMapRef", "ConfigMap", "configmap"),
            ("secretRef", "Secret", "secret"),
        ):
            ref = item.child(key)
            if ref is None:
                continue
            ref_name = ref.text("name") or ""
            ref.consume("optional")
            keys = settings.siblings.get((kind, ref_name))
            if keys is None:
                item.ledger.report(
                    "KI310",
                    item.path,
                    f"envFrom {kind} {ref_name!r} cannot be expanded: it is not in the input, and "
                    f"IEF has no envFrom; add the {kind} to the input or list its keys as env",
                    consume=False,
                )
                continue
            usable = [k for k in keys if ENV_NAME.fullmatch(prefix + k)]
            item.ledger.report(
                "KI311",
                item.path,
                f"envFrom {kind} {ref_name} expanded into {len(usable)} env references",
                consume=False,
            )
            result.extend(
                {"name": prefix + k, "value_from": {field: {"name": ref_name, "key": k}}}
                for k in usable
            )
    return result


# --- ports -------------------------------------------------------------------------------------


def ports_by_name(view: View) -> dict[str, int]:
    names: dict[str, int] = {}
    value = view.peek("ports")
    for port in value if isinstance(value, list) else []:
        if isinstance(port, dict):
            name, number = port.get("name"), port.get("containerPort")
            if isinstance(name, str) and isinstance(number, int):
                names[name] = number
    return names


def ports(view: View, settings: Settings, *, host_network: bool) -> list[dict[str, object]]:
    """Port mappings. Without host networking IEF reaches containers only through host ports."""
    result: list[dict[str, object]] = []
    named = False
    for port in view.children("ports"):
        number = port.integer("containerPort")
        if number is None:
            port.ledger.consume(port.path)  # no port to map; a wrong type was reported
            continue
        entry: dict[str, object] = {"container_port": number}
        host_port = port.integer("hostPort")
        if host_port is not None:
            entry["host_port"] = host_port
        elif settings.host_port_range:
            low, high = settings.host_port_range
            entry["host_port_range"] = {"min_port": low, "max_port": high}
        elif not host_network:
            entry["host_port"] = number
            port.note(
                "containerPort",
                "KI319",
                f"containerPort {number} has no hostPort; IEF maps container ports to the node, "
                f"so host_port {number} was used (platinum: --host-port-range lets IEF choose)",
            )
        host_ip = port.text("hostIP")
        if host_ip is not None:
            entry["host_ip"] = host_ip
        protocol = port.text("protocol", "TCP")
        if protocol != "TCP":
            port.note(
                "protocol",
                "KI304",
                f"protocol {protocol} is not carried: IEF port mappings are TCP",
            )
        if "name" in port:
            named = True
            port.consume("name")
        result.append(entry)
    if named:
        view.note(
            "ports",
            "KI307",
            "port names are not carried (IEF ports are numbers); probes that used them were "
            "given the numbers",
        )
    return result

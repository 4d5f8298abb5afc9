"""ContainerDef.envs: env and envFrom, in the order the kubelet builds them.

The kubelet builds a container's environment from envFrom first (in order, a later source
winning a key), then env in order, and expands ``$(VAR)`` in a value against what was defined
before it. IEF has no envFrom and resolves ``$(VAR)`` against the envs before it, so the body
lists the expanded envFrom keys first and the env entries after them: the same references then
resolve to the same values (k8s2ief.behaviour checks it).
"""

from __future__ import annotations

from k8s2ief.behaviour.expansion import references
from k8s2ief.behaviour.kubernetes import KUBERNETES_ENV_NAME
from k8s2ief.ief import contract
from k8s2ief.load.scalars import go_float
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import View, describe, shorten
from k8s2ief.rules.origins import record
from k8s2ief.settings import Settings

ENV_NAME = contract.compiled(contract.ENV_NAME)  # IEF's env name rule
HOST_IP_FIELD = "status.hostIP"
Entry = dict[str, object]


@handles(
    "spec.template.spec.containers[*].env[*].name", "spec.template.spec.containers[*].env[*].value"
)
def env(view: View, settings: Settings) -> list[Entry]:
    """The container's envs in the kubelet's build order; a later definition replaces one."""
    entries: dict[str, Entry] = {}
    expanded, kubernetes_names = expand_env_from(view, settings)
    for entry in expanded:
        entries.pop(str(entry["name"]), None)
        entries[str(entry["name"])] = entry
    from_env_from = set(entries)
    defined = set(kubernetes_names)  # what Kubernetes would know so far
    used: set[str] = set()  # names earlier values referred to while defined
    for item in view.children("env"):
        name = item.text("name")
        if name is None:
            item.ledger.report("KI302", item.path, "env entry has no name", consume=False)
            continue
        _check_references(item, set(entries), defined)
        value = item.peek("value")
        if isinstance(value, str):
            used.update(n for n in references(value) if n in defined)
        defined.add(name)
        if not ENV_NAME.fullmatch(name):
            item.note(
                "name",
                "KI302",
                f"env name {shorten(name)!r} is not valid on IEF (letters, digits and '_', not "
                "starting with a digit); the variable was left out",
            )
            item.ledger.consume(item.path)  # the finding covers the whole entry
            continue
        entry = _env_entry(item, name, settings)
        if entry is None:
            item.ledger.consume(item.path)  # dropped with a finding that names it
            continue
        if name in entries and name in used:
            # One IEF entry per name: what the earlier references saw cannot be kept.
            item.note(
                "name",
                "KI321",
                f"env {name} is redefined after a value referred to $({name}); on IEF the "
                "earlier reference sees no value and stays as literal text",
            )
        elif name in entries and name not in from_env_from:
            item.note("name", "KI303", f"env {name} is set twice; the last value wins")
        from_env_from.discard(name)
        record(item.ledger, entry, item.path)
        entries.pop(name, None)  # the later definition wins, at its own place in the order
        entries[name] = entry
    return list(entries.values())


def _check_references(item: View, before: set[str], defined: set[str]) -> None:
    """A ``$(VAR)`` that Kubernetes resolves but IEF cannot (the variable was not carried)."""
    value = item.peek("value")
    if not isinstance(value, str):
        return
    lost = [name for name in dict.fromkeys(references(value)) if name in defined - before]
    if lost:
        item.note(
            "value",
            "KI321",
            f"env {item.peek('name')} refers to {', '.join(f'$({n})' for n in lost)}, which is "
            "not carried (see its finding); on IEF the reference stays as literal text",
        )


def _env_entry(item: View, name: str, settings: Settings) -> Entry | None:
    if "valueFrom" in item:
        source = item.child("valueFrom")
        return _value_from(source, name, settings) if source else None
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
        f'rejects it; quote it (value: "{shorten(text)}"); emitted as that string',
    )
    return {"name": name, "value": text}


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


KEY_REFS = (("secretKeyRef", "secret", "Secret"), ("configMapKeyRef", "configmap", "ConfigMap"))


@handles("spec.template.spec.containers[*].env[*].valueFrom")
def _value_from(source: View, name: str, settings: Settings) -> Entry | None:
    for key, field, kind in KEY_REFS:
        ref = source.child(key)
        if ref is None:
            continue
        ref_name, ref_key = ref.text("name"), ref.text("key")
        if not ref_name or not ref_key:
            source.note(key, "KI312", f"env {name}: {key} needs a name and a key")
            return None
        if "optional" in ref:
            known = settings.siblings.get((kind, ref_name))
            if ref.peek("optional") is True and known is not None and ref_key not in known:
                # Kubernetes starts the container without the variable; so must IEF.
                ref.report(
                    "optional",
                    "KI313",
                    f"env {name} was left out: {kind} {ref_name} of the input has no key "
                    f"{ref_key}, and the reference is optional, so Kubernetes sets nothing",
                )
                source.ledger.consume(source.path)
                return None
            ref.report(
                "optional",
                "KI313",
                f"optional is not carried: on IEF env {name} needs its {field} key to exist",
            )
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


ENV_FROM_KINDS = (("configMapRef", "ConfigMap", "configmap"), ("secretRef", "Secret", "secret"))


@handles("spec.template.spec.containers[*].envFrom")
def expand_env_from(view: View, settings: Settings) -> tuple[list[Entry], set[str]]:
    """envFrom expands when the ConfigMap or Secret is in the same input (references only).

    Also answers the names Kubernetes would define, including those IEF cannot name."""
    result: list[Entry] = []
    kubernetes_names: set[str] = set()
    for item in view.children("envFrom"):
        prefix = item.text("prefix", "") or ""
        for key, kind, field in ENV_FROM_KINDS:
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
            names = [prefix + k for k in keys]
            kubernetes_names.update(n for n in names if KUBERNETES_ENV_NAME.fullmatch(n))
            usable = [n for n in names if ENV_NAME.fullmatch(n)]
            lost = [
                n for n in names if not ENV_NAME.fullmatch(n) and KUBERNETES_ENV_NAME.fullmatch(n)
            ]
            if lost:
                item.ledger.report(
                    "KI302",
                    item.path,
                    f"envFrom {kind} {ref_name}: {', '.join(shorten(n) for n in lost[:5])} "
                    f"{'is' if len(lost) == 1 else 'are'} valid in Kubernetes but cannot be "
                    "named on IEF (letters, digits and '_'); left out",
                    consume=False,
                )
            item.ledger.report(
                "KI311",
                item.path,
                f"envFrom {kind} {ref_name} expanded into {len(usable)} env references",
                consume=False,
            )
            for k in keys:
                if ENV_NAME.fullmatch(prefix + k):
                    entry = {
                        "name": prefix + k,
                        "value_from": {field: {"name": ref_name, "key": k}},
                    }
                    record(item.ledger, entry, item.path)
                    result.append(entry)
    return result, kubernetes_names

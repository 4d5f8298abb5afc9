"""Volumes: each container's volumeMounts joined with the pod's volumes, per container as IEF
wants them."""

from __future__ import annotations

from collections.abc import Callable

from k8s2ief.behaviour.kubernetes import KUBERNETES_SOURCES
from k8s2ief.ief import contract
from k8s2ief.patterns import lazy
from k8s2ief.rules.handlers import POD, handles
from k8s2ief.rules.ledger import View
from k8s2ief.rules.origins import record

VOLUME_NAME_MAX = contract.VOLUME_NAME_MAX
HOST_PATH = contract.compiled(contract.HOST_PATH)  # the API's rule for hostPath sources
KUBERNETES_DEFAULT_MODE = 420  # 0644, what the API server fills in for configMap and secret
_NOT_NAME = lazy(r"[^a-z0-9]+")
# Mount options IEF has no field for: (code, what happens without them).
MOUNT_OPTIONS = {
    "subPath": ("KI603", "the whole volume would be mounted where one file or folder was meant"),
    "subPathExpr": (
        "KI603",
        "the whole volume would be mounted where one file or folder was meant",
    ),
    "mountPropagation": ("KI605", "IEF mounts without propagation"),
    "recursiveReadOnly": ("KI605", "IEF applies its own read-only semantics"),
}


def ief_volume_name(name: str) -> str:
    """IEF's rule: lowercase letters and digits only, at most 63."""
    return _NOT_NAME.sub("", name.lower())[:VOLUME_NAME_MAX] or "vol"


class PodVolumes:
    """The pod's volumes by name; remembers which ones containers mounted."""

    @handles("spec.template.spec.volumes", "spec.template.spec.volumes[*].name")
    def __init__(self, pod: View | None) -> None:
        self.by_name: dict[str, View] = {}
        self.mounted: set[str] = set()
        self._sources: dict[str, Source] = {}  # each volume is read (and reported) once
        # One IEF name per pod volume, unique in the pod: a volume mounted by several
        # containers (or twice by one) stays one IEF volume, two volumes never share a name.
        self.ief_names: dict[str, str] = {}
        taken: set[str] = set()
        for volume in pod.children("volumes") if pod else []:
            name = volume.text("name")
            if name is not None and name not in self.by_name:
                self.by_name[name] = volume
                self.ief_names[name] = _unique(ief_volume_name(name), taken)

    def mounts_for(self, container: View) -> list[dict[str, object]]:
        result: list[dict[str, object]] = []
        for mount in container.children("volumeMounts"):
            entry = self._mount(mount)
            if entry is None:
                mount.ledger.consume(mount.path)  # dropped with a finding that names it
                continue
            original = mount.peek("name")
            if entry["name"] != original:
                mount.ledger.report(
                    "KI601",
                    (*mount.path, "name"),
                    f"volume {original} is named {entry['name']} on IEF (lowercase letters and "
                    "digits only, unique in the pod)",
                    consume=False,
                )
            record(mount.ledger, entry, mount.path)
            result.append(entry)
        for device in container.children("volumeDevices"):
            container.ledger.report(
                "KI602", device.path, "raw block devices (volumeDevices) have no IEF equivalent"
            )
        return result

    @handles("spec.template.spec.containers[*].volumeMounts")
    def _mount(self, mount: View) -> dict[str, object] | None:
        name = mount.text("name")
        destination = mount.text("mountPath")
        volume = self.by_name.get(name or "")
        if volume is None:
            mount.ledger.report(
                "KI609", mount.path, f"volumeMount {name!r} names no volume of the pod"
            )
            return None
        self.mounted.add(name or "")
        if not destination or not destination.startswith("/"):
            mount.ledger.report(
                "KI612",
                mount.path,
                f"volumeMount {name} needs an absolute mountPath, not {destination!r}; "
                "the mount was dropped",
            )
            return None
        for option, (code, effect) in MOUNT_OPTIONS.items():
            if option in mount:
                mount.report(option, code, f"{option} is not carried: {effect}")
                if code == "KI603":
                    return None
        if name not in self._sources:
            self._sources[name or ""] = _source(volume)
        kind, source, mode, forced_read_only = self._sources[name or ""]
        if kind is None:
            mount.ledger.report(
                "KI602",
                mount.path,
                f"volume {name} cannot be mounted on IEF (see its finding); the app would miss "
                f"the data at {destination}",
                consume=False,
            )
            return None
        read_only = mount.flag("readOnly", False) or forced_read_only
        entry: dict[str, object] = {
            "name": self.ief_names[name or ""],
            "type": kind,
            "source": source,
            "destination": destination,
            "read_only": read_only,
        }
        if mode is not None:
            entry["default_mode"] = mode
        return entry

    def report_unused(self) -> None:
        for name, volume in self.by_name.items():
            if name not in self.mounted:
                volume.ledger.report(
                    "KI608", volume.path, f"volume {name} is declared but never mounted"
                )
            elif name not in self._sources:
                # Only mounted in ways that were dropped (subPath): their findings cover it.
                volume.ledger.consume(volume.path)


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        suffix = str(counter)
        candidate = name[: VOLUME_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


Source = tuple[str | None, str | None, int | None, bool]


@handles("spec.template.spec.volumes[*].configMap", "spec.template.spec.volumes[*].secret")
def _config_source(view: View, name_key: str, kind: str) -> Source:
    name = view.text(name_key)
    if not name:
        view.ledger.report("KI602", view.path, f"the {kind} volume names no {kind} ({name_key})")
        return None, None, None, False
    # 420 (0644) is Kubernetes' default mode, filled in by the API server: left to the
    # accounting walk's defaults summary, so the body matches a volume without defaultMode.
    default_mode = view.peek("defaultMode") == KUBERNETES_DEFAULT_MODE
    mode = None if default_mode else view.integer("defaultMode")
    if "items" in view:
        view.report(
            "items",
            "KI604",
            "items (selected keys, renamed files) are not carried: IEF mounts every key under "
            "its own name",
        )
    if "optional" in view:
        view.report("optional", "KI611", "optional is not carried: the source must exist on IEF")
    return kind, name, mode, True


@handles("spec.template.spec.volumes[*].emptyDir")
def _empty_dir(view: View) -> Source:
    medium = view.text("medium", "")
    if "sizeLimit" in view:
        view.report("sizeLimit", "KI606", "sizeLimit is not carried: IEF does not cap emptyDir")
    return "emptyDir", "memory" if medium == "Memory" else "disk", None, False


@handles("spec.template.spec.volumes[*].hostPath")
def _host_path(view: View) -> Source:
    path = view.text("path")
    if not path or not HOST_PATH.fullmatch(path):
        view.report(
            "path",
            "KI612",
            f"hostPath {path!r} is not a path IEF accepts (absolute, of letters, digits and "
            "- _ . /); the volume cannot be mounted",
        )
        view.ledger.consume(view.path)  # the finding speaks for the whole source
        return None, None, None, False
    if "type" in view:
        view.report(
            "type", "KI607", "hostPath type is not carried: IEF does not check the path's kind"
        )
    view.ledger.report(
        "KI610",
        view.path,
        f"hostPath {path} exposes the edge node's file system to the container",
        consume=False,
    )
    return "hostPath", path, None, False


VOLUME_SOURCES: dict[str, Callable[[View], Source]] = {
    "configMap": lambda v: _config_source(v, "name", "configMap"),
    "secret": lambda v: _config_source(v, "secretName", "secret"),
    "emptyDir": _empty_dir,
    "hostPath": _host_path,
}


# Volume kinds Kubernetes has and IEF does not (projected, persistentVolumeClaim, ...): KI602.
UNSUPPORTED_SOURCES = sorted(KUBERNETES_SOURCES - VOLUME_SOURCES.keys())


@handles(*(f"{POD}.volumes[*].{kind}" for kind in UNSUPPORTED_SOURCES))
def _source(volume: View) -> Source:
    kinds = [key for key in volume.data if key in KUBERNETES_SOURCES]
    if len(kinds) > 1:
        for key in kinds:
            volume.report(
                key,
                "KI613",
                f"volume {volume.peek('name')} names {len(kinds)} sources ({', '.join(kinds)}); "
                "Kubernetes rejects it, so it was not mounted",
            )
        return None, None, None, False
    if not kinds:
        # The API server gives a volume without a source an emptyDir.
        return _empty_dir(View({}, volume.at("emptyDir"), volume.ledger))
    key = kinds[0]
    convert = VOLUME_SOURCES.get(key)
    if convert is None:
        volume.report(key, "KI602", f"{key} volumes have no IEF equivalent")
        return None, None, None, False
    view = volume.child(key)
    if view is None:  # `emptyDir: {}` and `emptyDir: null` both mean "defaults"
        return convert(View({}, volume.at(key), volume.ledger))
    return convert(view)

"""ContainerDef.ports, and the node ports a body binds.

Without host networking IEF reaches a container only through a port mapped on the node, so a
containerPort without hostPort gets the same host port (KI319) unless --host-port-range lets IEF
choose. A bound node port can be bound once per node: several replicas on one node, two
mappings of one body, or two deployments of one run aimed at the same node cannot all have it
(KI320; pipeline.py checks across the run).
"""

from __future__ import annotations

from k8s2ief.paths import Path
from k8s2ief.records import FrozenRecord, slot_setters
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import Ledger, View
from k8s2ief.rules.origins import record
from k8s2ief.settings import Settings


class Bound(FrozenRecord):
    """A node port a body binds, and the manifest field it comes from."""

    __slots__ = ("port", "path", "init")  # noqa: RUF023 (the order of __init__)
    port: int
    path: Path
    init: bool  # an init container's: it ends before the app containers bind theirs

    def __init__(self, port: int, path: Path, init: bool = False) -> None:
        _set_port(self, port)
        _set_path(self, path)
        _set_init(self, init)


_set_port, _set_path, _set_init = slot_setters(Bound)


@handles("spec.template.spec.containers[*].ports[*].name")
def ports_by_name(view: View) -> dict[str, int]:
    names: dict[str, int] = {}
    value = view.peek("ports")
    for port in value if isinstance(value, list) else []:
        if isinstance(port, dict):
            name, number = port.get("name"), port.get("containerPort")
            if isinstance(name, str) and isinstance(number, int):
                names[name] = number
    return names


def ports(
    view: View, settings: Settings, bound: list[Bound], *, host_network: bool, init: bool = False
) -> list[dict[str, object]]:
    """Port mappings, one per distinct mapping (IEF mappings carry no protocol)."""
    result: list[dict[str, object]] = []
    named = False
    for port in view.children("ports"):
        number = port.integer("containerPort")
        if number is None:
            port.ledger.consume(port.path)  # no port to map; a wrong type was reported
            continue
        entry = _mapping(port, number, settings, host_network)
        if host_network:
            port.consume("protocol")  # the container binds the node's ports itself, any protocol
        else:
            _protocol(port, number)
        if "name" in port:
            named = True
            port.consume("name")
        if entry in result:
            continue  # TCP and UDP on one port: IEF has one (TCP) mapping for both
        result.append(entry)
        record(port.ledger, entry, port.path)
        node_port = entry.get("host_port", number if host_network else None)
        if isinstance(node_port, int):
            where = "hostPort" if "hostPort" in port and "host_port" in entry else "containerPort"
            bound.append(Bound(node_port, port.at(where), init))
    if named:
        view.note(
            "ports",
            "KI307",
            "port names are not carried (IEF ports are numbers); probes that used them were "
            "given the numbers",
        )
    return result


@handles(
    "spec.template.spec.containers[*].ports[*].containerPort",
    "spec.template.spec.containers[*].ports[*].hostPort",
    "spec.template.spec.containers[*].ports[*].hostIP",
)
def _mapping(port: View, number: int, settings: Settings, host_network: bool) -> dict[str, object]:
    entry: dict[str, object] = {"container_port": number}
    host_port = port.integer("hostPort")
    if host_port == 0:
        host_port = None  # Kubernetes' "unset", not port 0
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
            f"so host_port {number} was bound on the node (platinum: --host-port-range lets IEF "
            "choose)",
        )
    host_ip = port.text("hostIP")
    if host_ip is not None:
        entry["host_ip"] = host_ip
    return entry


@handles("spec.template.spec.containers[*].ports[*].protocol")
def _protocol(port: View, number: int) -> None:
    protocol = port.text("protocol", "TCP")
    if protocol != "TCP":
        port.note(
            "protocol",
            "KI304",
            f"protocol {protocol} is not carried: IEF port mappings are TCP, so {protocol} "
            f"traffic to port {number} does not arrive",
        )


def check_conflicts(bound: list[Bound], replicas: int, *, one_node: bool, ledger: Ledger) -> None:
    """KI320 for a node port bound twice by the body, or by several replicas on one node."""
    first: dict[int, Bound] = {}
    for item in bound:
        if item.port in first and not item.init and not first[item.port].init:
            ledger.report(
                "KI320",
                item.path,
                f"node port {item.port} is bound twice by this deployment; the second "
                "container cannot start",
                consume=False,
            )
        elif item.port not in first or first[item.port].init:
            first[item.port] = item
    if one_node and replicas > 1 and first:
        ports = ", ".join(str(p) for p in sorted(first))
        ledger.report(
            "KI320",
            next(iter(first.values())).path,
            f"{replicas} replicas on one node cannot all bind node port(s) {ports}: only one "
            "instance would start (use --host-port-range, a node group, or one replica)",
            consume=False,
        )


def clash_message(port: int, first: str) -> str:
    return f"node port {port} is already bound on this node by the deployment at {first}"

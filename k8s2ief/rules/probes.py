"""Probe: liveness and readiness checks (http_get or exec, initial delay, timeout)."""

from __future__ import annotations

from k8s2ief.behaviour import kubernetes
from k8s2ief.ief import contract
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import View
from k8s2ief.rules.origins import record

SECONDS_MIN, SECONDS_MAX = contract.PROBE_SECONDS_MIN, contract.PROBE_SECONDS_MAX
SCHEMES = ("HTTP", "HTTPS")
# Kubernetes' values for probe settings IEF lacks; a field holding one of them changes nothing
# and is left to the accounting walk's defaults summary.
KUBERNETES_DEFAULTS = {"periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
KUBERNETES_TIMEOUT_SECONDS = 1
# What IEF does for the probe settings it has no field for (the messages name the default).
IEF_TIMING_DEFAULTS = {
    "periodSeconds": "IEF probes at its own fixed period",
    "successThreshold": "IEF counts one success",
    "failureThreshold": "IEF applies its own failure threshold",
    "terminationGracePeriodSeconds": "IEF uses the pod's grace period",
}


@handles("spec.template.spec.containers[*].livenessProbe")
def convert(container: View, key: str, port_names: dict[str, int]) -> dict[str, object] | None:
    probe = container.child(key)
    if probe is None:
        return None
    handler = _handler(probe, port_names)
    for name, default in IEF_TIMING_DEFAULTS.items():
        if name in probe and probe.peek(name) != KUBERNETES_DEFAULTS.get(name):
            probe.report(name, "KI502", f"{key}.{name} is not carried: {default}")
    if handler is None:
        container.consume(key)  # the probe is gone; its finding speaks for all its fields
        return None
    result = dict(handler)
    record(probe.ledger, result, probe.path)
    budget = startup_budget(container) if key == "livenessProbe" else 0
    result["initial_delay_seconds"] = _initial_delay(probe, budget)
    # Kubernetes' default timeout (1 s, filled in by the API server) is left to the accounting
    # walk's defaults summary, so the body matches a probe without timeoutSeconds.
    default_timeout = probe.peek("timeoutSeconds") == KUBERNETES_TIMEOUT_SECONDS
    timeout = None if default_timeout else probe.integer("timeoutSeconds")
    if timeout is not None:
        result["timeout_seconds"] = _bounded(probe, "timeoutSeconds", timeout)
    return result


@handles(
    "spec.template.spec.containers[*].livenessProbe.exec",
    "spec.template.spec.containers[*].livenessProbe.tcpSocket",
    "spec.template.spec.containers[*].livenessProbe.grpc",
)
def _handler(probe: View, port_names: dict[str, int]) -> dict[str, object] | None:
    exec_view = probe.child("exec")
    if exec_view is not None:
        command = exec_view.strings("command")
        if command:
            import shlex  # here: most pods have no exec probe, and shlex costs every start

            return {"exec": {"command": shlex.join(command)}}
    http = probe.child("httpGet")
    if http is not None:
        action = _http_get(http, port_names)
        return {"http_get": action} if action else None
    for kind, code in (("tcpSocket", "KI504"), ("grpc", "KI505")):
        if kind in probe:
            probe.report(
                kind,
                code,
                f"{kind} probes have no IEF equivalent (IEF offers httpGet and exec); the probe "
                "was left out, so IEF applies no such check",
            )
    return None


@handles("spec.template.spec.containers[*].livenessProbe.httpGet")
def _http_get(http: View, port_names: dict[str, int]) -> dict[str, object] | None:
    port = http.take("port")
    if isinstance(port, str):
        if port in port_names:
            port = port_names[port]
        elif port.isdigit():
            port = int(port)
        else:
            http.note("port", "KI507", f"probe port {port!r} names no port of this container")
            return None
    if not isinstance(port, int) or isinstance(port, bool):
        http.note("port", "KI009", "probe port must be a number or a port name")
        return None
    path = http.text("path") or "/"
    if not path.startswith("/"):
        path = "/" + path  # the kubelet requests http://host:port/<path>
    result: dict[str, object] = {"path": path, "port": port}
    host = http.text("host")
    if host:
        result["host"] = host
    # HTTP is Kubernetes' default scheme (the API server fills it in): left to the defaults summary.
    scheme = None if http.peek("scheme") == "HTTP" else http.text("scheme")
    if scheme is not None:
        result["scheme"] = scheme.upper() if scheme.upper() in SCHEMES else scheme
    if "httpHeaders" in http:
        http.report(
            "httpHeaders",
            "KI503",
            "httpHeaders are not carried: IEF sends its probe requests without extra headers",
        )
    return result


def startup_budget(container: View) -> int:
    """Kubernetes runs the liveness probe only after the startupProbe succeeded; IEF has no
    startup probe, so its budget is added to the liveness delay (0 without one)."""
    startup = container.peek("startupProbe")
    return kubernetes.startup_budget(startup) if isinstance(startup, dict) else 0


@handles("spec.template.spec.containers[*].livenessProbe.initialDelaySeconds")
def _initial_delay(probe: View, budget: int) -> int:
    delay = probe.integer("initialDelaySeconds")
    if not delay and not budget:
        # IEF's own default is 10 s and Kubernetes' is 0; 1 is the closest IEF accepts.
        probe.ledger.report(
            "KI501",
            probe.at("initialDelaySeconds") if "initialDelaySeconds" in probe else probe.path,
            "initialDelaySeconds 0 (Kubernetes' default) became 1, IEF's minimum; left unset, "
            "IEF would wait 10 s",
            consume=False,
        )
        return SECONDS_MIN
    if budget:
        total = (delay or 0) + budget
        if total > SECONDS_MAX:
            probe.ledger.report(
                "KI508",
                probe.path,
                f"the startupProbe allows {budget} s to start, so the liveness probe must wait "
                f"{total} s; IEF allows at most {SECONDS_MAX}: a slow start would be killed",
                consume=False,
            )
            return SECONDS_MAX
        return total
    return _bounded(probe, "initialDelaySeconds", delay)  # type: ignore[arg-type]


@handles("spec.template.spec.containers[*].livenessProbe.timeoutSeconds")
def _bounded(probe: View, key: str, value: int) -> int:
    if SECONDS_MIN <= value <= SECONDS_MAX:
        return value
    clamped = min(max(value, SECONDS_MIN), SECONDS_MAX)
    probe.note(
        key,
        "KI508",
        f"{key} {value} is outside IEF's {SECONDS_MIN}..{SECONDS_MAX}; {clamped} was used",
    )
    return clamped

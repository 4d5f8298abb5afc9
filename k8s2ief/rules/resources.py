"""DeploymentResources: limits and requests in IEF's units, plus NPU and GPU translation."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from functools import lru_cache

from k8s2ief.ief import contract
from k8s2ief.quantity import parse_quantity
from k8s2ief.records import MutableRecord
from k8s2ief.rules.handlers import handles
from k8s2ief.rules.ledger import View, describe
from k8s2ief.settings import Settings

MIB = Decimal(1024 * 1024)
CENT = Decimal("0.01")
MEMORY_LIMIT_MIN = contract.MEMORY_LIMIT_MIN
HUGE_DIGITS = 15  # amounts above 10**15 are far beyond any IEF range: no rounding, short text
# Kubernetes resource name -> (IEF key, NPU type when the name selects one).
ASCEND = {"huawei.com/Ascend310": "D310", "huawei.com/Ascend310B": "D310B"}
GPU = "nvidia.com/gpu"
RANGES = {key: (kind.low, kind.high) for key, kind in contract.RESOURCES.items()}


def kubernetes_quantity(raw: str | int | float) -> Decimal:
    """parse_quantity's amount, or ValueError for NaN and the infinities: the Python client
    reads those (as Decimal does), the API server's parser takes digits only and refuses them."""
    amount = parse_quantity(raw)
    if not amount.is_finite():
        raise ValueError(f"{raw!r} is not a finite quantity")
    return amount


@lru_cache(maxsize=1024)  # the same few amounts recur (equal amounts print the same)
def decimal_text(value: Decimal) -> str:
    """``Decimal('0.250')`` -> ``'0.25'``, ``Decimal('2E+1')`` -> ``'20'``."""
    if value.adjusted() > HUGE_DIGITS:  # "1e999999" would print a million digits
        return str(value.normalize())
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class Resources(MutableRecord):
    """A container's DeploymentResources body, and the NPU type its resource names select."""

    __slots__ = ("body", "npu_type")
    body: dict[str, dict[str, str]]
    npu_type: str | None

    def __init__(
        self, body: dict[str, dict[str, str]] | None = None, npu_type: str | None = None
    ) -> None:
        self.body = {} if body is None else body
        self.npu_type = npu_type


@handles("spec.template.spec.containers[*].resources")
def convert(view: View, settings: Settings) -> Resources:
    result = Resources()
    spec = view.child("resources")
    if spec is None:
        return result
    amounts: dict[str, dict[str, Decimal]] = {}
    for section in ("limits", "requests"):
        block = spec.child(section)
        if block is None:
            continue
        converted: dict[str, Decimal] = {}
        for name, raw in list(block.data.items()):
            key, value = _one(block, name, raw, settings, result)
            if key is not None and value is not None:
                converted[key] = value
        if converted:
            amounts[section] = converted
    _check(spec, amounts)
    for section, values in amounts.items():
        result.body[section] = {key: decimal_text(v) for key, v in values.items()}
    return result


def _one(
    block: View, name: str, raw: object, settings: Settings, result: Resources
) -> tuple[str | None, Decimal | None]:
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        block.report(name, "KI009", f"expected a quantity, found {describe(raw)}")
        return None, None
    if name == "cpu" or name == "memory":
        rounded, rounding = _rounded(name, raw)
        if rounded is None:
            block.report(name, "KI407", f"{name}: {raw!r} is not a Kubernetes quantity")
            return None, None
        block.consume(name)
        if rounding is not None:
            block.note(name, "KI401", rounding)
        return name, rounded
    try:
        amount = kubernetes_quantity(raw)
    except (ValueError, ArithmeticError):
        block.report(name, "KI407", f"{name}: {raw!r} is not a Kubernetes quantity")
        return None, None
    block.consume(name)
    if name in ASCEND:
        if result.npu_type and result.npu_type != ASCEND[name]:
            block.note(name, "KI406", "a container can use one NPU type on IEF")
        result.npu_type = ASCEND[name]
        return "npu", amount
    if name.startswith("huawei.com/Ascend"):
        block.note(name, "KI406", f"{name} is not an NPU IEF offers (Ascend310, Ascend310B)")
        return None, None
    if name == GPU:
        if settings.gpu_memory_mb is None:
            block.note(
                name,
                "KI404",
                f"{GPU} counts devices but IEF's gpu is GPU memory in MB: pass --gpu-memory-mb "
                "with the memory of one device",
            )
            return None, None
        return "gpu", amount * settings.gpu_memory_mb
    block.note(name, "KI405", f"resource {name} has no IEF equivalent and was not carried")
    return None, None


@lru_cache(maxsize=1024)  # per spelling: the same few quantities recur in every document
def _rounded(name: str, raw: str | int | float) -> tuple[Decimal | None, str | None]:
    """A cpu or memory quantity in IEF's unit, rounded up to two decimals, and the KI401
    message when that changed it; (None, None) when ``raw`` is no quantity."""
    try:
        amount = kubernetes_quantity(raw)
    except (ValueError, ArithmeticError):
        return None, None
    unit = "cores"
    if name == "memory":
        amount, unit = amount / MIB, "MB (MiB)"
    if amount.adjusted() > HUGE_DIGITS:
        return amount, None  # far outside IEF's range (reported there); quantize would overflow
    rounded = amount.quantize(CENT, rounding=ROUND_CEILING)
    if rounded == amount:
        return rounded, None
    return rounded, (
        f"{name} {decimal_text(amount)} {unit} rounded up to {decimal_text(rounded)}: IEF "
        "takes two decimals"
    )


def _check(spec: View, amounts: dict[str, dict[str, Decimal]]) -> None:
    limits, requests = amounts.get("limits", {}), amounts.get("requests", {})
    memory = limits.get("memory")
    if memory is not None and memory < MEMORY_LIMIT_MIN:
        spec.ledger.report(
            "KI403",
            (*spec.path, "limits", "memory"),
            f"memory limit {decimal_text(memory)} MB is below IEF's minimum of "
            f"{decimal_text(MEMORY_LIMIT_MIN)} MB",
            consume=False,
        )
    for key, request in requests.items():
        limit = limits.get(key)
        if limit is not None and request > limit:
            spec.ledger.report(
                "KI402",
                (*spec.path, "requests", _source_key(key)),
                f"{key} request {decimal_text(request)} is above its limit {decimal_text(limit)}",
                consume=False,
            )
    for section, values in amounts.items():
        for key, value in values.items():
            low, high = RANGES[key]
            if not low <= value <= high:
                spec.ledger.report(
                    "KI408",
                    (*spec.path, section),
                    f"{section} {key} {decimal_text(value)} is outside IEF's range "
                    f"{decimal_text(low)}..{decimal_text(high)}",
                    consume=False,
                )


def _source_key(key: str) -> str:
    return {"gpu": GPU}.get(key, key)

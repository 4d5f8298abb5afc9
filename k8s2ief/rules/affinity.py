"""Affinity: node and pod (anti-)affinity, carried with the API's camelCase keys (platinum only)."""

from __future__ import annotations

from k8s2ief.ief import contract
from k8s2ief.rules.handlers import POD, handles
from k8s2ief.rules.ledger import View, describe
from k8s2ief.settings import Settings

REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"
OPERATORS = contract.OPERATORS
WEIGHT_MIN, WEIGHT_MAX = contract.WEIGHT_MIN, contract.WEIGHT_MAX
INTEGER = contract.compiled(contract.INTEGER)
# Selector and term fields IEF's affinity has no place for.
UNSUPPORTED = {
    "matchFields": "IEF selects nodes by labels only",
    "namespaceSelector": "IEF matches pods in the listed namespaces only",
    "matchLabelKeys": "IEF has no label-key matching",
    "mismatchLabelKeys": "IEF has no label-key matching",
}


def convert(
    pod: View | None, settings: Settings, *, node_target: bool = False
) -> dict[str, object] | None:
    if pod is None:
        return None
    affinity = pod.child("affinity")
    node_selector = _node_selector(pod)
    if affinity is None and not node_selector:
        return None
    if not settings.platinum:
        if affinity is not None:
            pod.report(
                "affinity",
                "KI701",
                "affinity needs the platinum edition of IEF (--edition platinum); without it "
                "the pods are placed with no such constraint",
            )
        if node_selector:
            _selector_without_platinum(pod, node_target)
        return None
    result: dict[str, object] = {}
    node = _node_affinity(affinity.child("nodeAffinity") if affinity else None, node_selector, pod)
    if node:
        result["nodeAffinity"] = node
    for key in ("podAffinity", "podAntiAffinity"):
        terms = _pod_affinity(affinity.child(key)) if affinity else None
        if terms:
            result[key] = terms
    return result or None


def _selector_without_platinum(pod: View, node_target: bool) -> None:
    if node_target:
        # The user picked the node: the selector only said which nodes may run the pods.
        pod.report(
            "nodeSelector",
            "KI707",
            "nodeSelector is not carried (it needs the platinum edition); the deployment is "
            "pinned to the given node, which must carry these labels for the same placement",
        )
    else:
        pod.report(
            "nodeSelector",
            "KI701",
            "nodeSelector needs the platinum edition of IEF (--edition platinum); without it "
            "the pods may be placed on any node of the group",
        )


@handles("spec.template.spec.nodeSelector")
def _node_selector(pod: View) -> list[dict[str, object]]:
    expressions = []
    for key, value, path in pod.items("nodeSelector"):
        if not key:
            pod.ledger.report("KI703", path, "a nodeSelector label key is empty; it was dropped")
        elif not isinstance(value, str):
            pod.ledger.report("KI009", path, f"expected a string, found {describe(value)}")
        else:
            pod.ledger.consume(path)
            expressions.append({"key": key, "operator": "In", "values": [value]})
    return expressions


@handles("spec.template.spec.affinity.nodeAffinity")
def _node_affinity(
    view: View | None, folded: list[dict[str, object]], pod: View
) -> dict[str, object]:
    result: dict[str, object] = {}
    if view is not None:
        preferred = [
            {"preference": _selector_term(p.child("preference")), "weight": weight}
            for p in view.children(PREFERRED)
            if (weight := _weight(p)) is not None
        ]
        if preferred:
            result[PREFERRED] = preferred
    required = view.child(REQUIRED) if view is not None else None
    terms = [_selector_term(t) for t in required.children("nodeSelectorTerms")] if required else []
    if folded:
        terms = [
            {"matchExpressions": [*t.get("matchExpressions", []), *folded]} for t in terms
        ] or [{"matchExpressions": list(folded)}]
        pod.note(
            "nodeSelector",
            "KI704",
            "nodeSelector was folded into the required node affinity as In expressions",
        )
    if terms:
        result[REQUIRED] = {"nodeSelectorTerms": terms}
    return result


def _selector_term(view: View | None) -> dict[str, object]:
    if view is None:
        return {}
    _unsupported(view)
    expressions = _expressions(view)
    return {"matchExpressions": expressions} if expressions else {}


def _expressions(view: View) -> list[dict[str, object]]:
    result = []
    for expression in view.children("matchExpressions"):
        key, operator = expression.text("key"), expression.text("operator")
        values = expression.strings("values")
        problem = "an expression needs a key; expression dropped" if not key else None
        problem = problem or _expression_problem(operator, values)
        if problem:
            expression.ledger.report("KI703", expression.path, problem, consume=False)
            continue
        item: dict[str, object] = {"key": key, "operator": operator}
        if values:
            item["values"] = values
        result.append(item)
    return result


def _expression_problem(operator: str | None, values: list[str] | None) -> str | None:
    if operator not in OPERATORS:
        return f"operator {operator!r} is not one of {', '.join(OPERATORS)}; expression dropped"
    if operator in ("In", "NotIn") and not values:
        return f"{operator} needs at least one value; expression dropped"
    if operator in ("Exists", "DoesNotExist") and values:
        return f"{operator} takes no values; expression dropped"
    if operator in ("Gt", "Lt") and (len(values or []) != 1 or not INTEGER.fullmatch(values[0])):  # type: ignore[index]
        return f"{operator} takes exactly one integer value; expression dropped"
    return None


@handles("spec.template.spec.affinity.podAffinity", "spec.template.spec.affinity.podAntiAffinity")
def _pod_affinity(view: View | None) -> dict[str, object]:
    if view is None:
        return {}
    result: dict[str, object] = {}
    preferred = [
        {"podAffinityTerm": term, "weight": weight}
        for w in view.children(PREFERRED)
        if (weight := _weight(w)) is not None
        and (term := _pod_term(w.child("podAffinityTerm"), w)) is not None
    ]
    if preferred:
        result[PREFERRED] = preferred
    required = [term for t in view.children(REQUIRED) if (term := _pod_term(t, t)) is not None]
    if required:
        result[REQUIRED] = required
    return result


def _pod_term(view: View | None, owner: View) -> dict[str, object] | None:
    """A pod affinity term, or None (reported) when it lacks the topologyKey both APIs need."""
    if (
        view is None
        or not isinstance(view.peek("topologyKey"), str)
        or not view.peek("topologyKey")
    ):
        owner.ledger.report(
            "KI706",
            owner.path,
            "a pod affinity term needs a topologyKey (Kubernetes and IEF both require one); "
            "the term was dropped",
        )
        return None
    _unsupported(view)
    term: dict[str, object] = {}
    selector = view.child("labelSelector")
    if selector is not None:
        _unsupported(selector)
        labels = {k: v for k, v, path in selector.items("matchLabels") if _take(selector, path)}
        expressions = _expressions(selector)
        chosen: dict[str, object] = {}
        if expressions:
            chosen["matchExpressions"] = expressions
        if labels:
            chosen["matchLabels"] = labels
        term["labelSelector"] = chosen
    namespaces = view.strings("namespaces")
    if namespaces:
        term["namespaces"] = namespaces
    topology = view.text("topologyKey")
    if topology is not None:
        term["topologyKey"] = topology
    return term


def _weight(view: View) -> int | None:
    """A preferred term's weight, which both APIs require in 1..100; otherwise it is dropped."""
    weight = view.integer("weight")
    if weight is not None and WEIGHT_MIN <= weight <= WEIGHT_MAX:
        return weight
    view.ledger.report(
        "KI706",
        view.path,
        f"a preferred term needs a weight of {WEIGHT_MIN}..{WEIGHT_MAX}, not {weight}; "
        "the term was dropped",
    )
    return None


def _take(view: View, path: tuple) -> bool:
    view.ledger.consume(path)
    return True


@handles(*(f"{POD}.affinity...{field}" for field in UNSUPPORTED))
def _unsupported(view: View) -> None:
    for key, effect in UNSUPPORTED.items():
        if key in view:
            view.report(key, "KI702", f"{key} is not carried: {effect}")

"""Importing the IEF SDK without loading every one of its 388 models up front.

``huaweicloudsdkief.v1`` and ``huaweicloudsdkief.v1.model`` are packages whose ``__init__`` does
nothing but import every model (``from huaweicloudsdkief.v1.model.x import X`` line after line),
and the client imports the second one when it is made. A submit uses about 70 of them. Here both
packages are set up as the same modules with the same names, minus the eager lines: a model is
imported from its own module the first time it is asked for (PEP 562 module ``__getattr__``), so
``from huaweicloudsdkief.v1 import CreateDeploymentsRequest`` gives the very class it always did.
Importing ``k8s2ief.commands.submit`` and the SDK this way (71 of the 386 models, preloaded
by ``load_models``) took 201-209 ms of CPU instead of 267-364 ms (four alternated runs).

Anything unexpected (an SDK whose ``__init__`` does more than import, packages already loaded)
leaves the ordinary import to happen. ``load_models`` imports the models a submit reaches
(request, response and body models), in the main thread: the sending threads then never race
each other through a first import.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType

PACKAGES = ("huaweicloudsdkief.v1", "huaweicloudsdkief.v1.model")
# Every statement such an __init__ may hold: the coding line, comments, the __future__ import,
# and one import of a name from a module of the SDK per line.
_IMPORT = re.compile(r"from (huaweicloudsdkief\.v1(?:\.\w+)+) import (\w+)")
_HARMLESS = re.compile(r"(#.*|from __future__ import absolute_import)?")
# openapi_types spell nested models as "Name", "list[Name]" and "dict(str, Name)".
_NESTED = re.compile(r"(?:list\[|dict\(str, )*(\w+)[\])]*")


def import_lazily() -> None:
    """Set up the SDK's two model-importing packages as lazy ones (at most once per process)."""
    if any(name in sys.modules for name in PACKAGES):
        return  # imported already, one way or the other
    try:
        parent = importlib.import_module("huaweicloudsdkief")
        # Found on the parent's path: importlib.util.find_spec would import the parent package.
        v1_spec = PathFinder.find_spec(PACKAGES[0], list(parent.__path__))
        locations = v1_spec.submodule_search_locations if v1_spec else None
        model_spec = PathFinder.find_spec(PACKAGES[1], list(locations or []))
        specs = [spec for spec in (v1_spec, model_spec) if spec is not None]
        plans = [(spec, _eager_imports(spec)) for spec in specs]
    except (ImportError, OSError, UnicodeDecodeError):
        return
    if len(plans) != len(PACKAGES) or any(names is None for _spec, names in plans):
        return
    v1, model = (_lazy_package(spec, names or {}) for spec, names in plans)
    sys.modules[v1.__name__] = v1
    sys.modules[model.__name__] = model
    parent.v1 = v1  # type: ignore[attr-defined]
    v1.model = model  # type: ignore[attr-defined]


def _eager_imports(spec: ModuleSpec) -> dict[str, str] | None:
    """Name -> module of every import in the package's ``__init__``; None when it holds more."""
    if not spec.origin or spec.submodule_search_locations is None:
        return None
    with open(spec.origin, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    names: dict[str, str] = {}
    for line in lines:
        text = line.strip()
        if match := _IMPORT.fullmatch(text):
            names[match[2]] = match[1]
        elif not _HARMLESS.fullmatch(text):
            return None
    return names


def _lazy_package(spec: ModuleSpec, names: dict[str, str]) -> ModuleType:
    package = importlib.util.module_from_spec(spec)  # its __path__, so submodules import

    def __getattr__(attribute: str) -> object:
        source = names.get(attribute)
        if source is None:
            raise AttributeError(f"module {spec.name!r} has no attribute {attribute!r}")
        value = getattr(importlib.import_module(source), attribute)
        setattr(package, attribute, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(package), *names})

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    package.__dir__ = __dir__  # type: ignore[method-assign]
    return package


def load_models(package: ModuleType, roots: list[str]) -> int:
    """Import ``roots`` (model names of ``package``) and every model their fields name, and
    each request's response model; answers how many models that is."""
    seen: set[str] = set()
    todo = [*roots, *(r.removesuffix("Request") + "Response" for r in roots)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        model = getattr(package, name, None)
        types = getattr(model, "openapi_types", None)
        if model is None:
            continue
        seen.add(name)
        for spelled in (types or {}).values():
            match = _NESTED.fullmatch(str(spelled))
            if match and match[1][:1].isupper():
                todo.append(match[1])
    return len(seen)

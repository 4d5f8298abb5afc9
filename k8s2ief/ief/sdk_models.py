"""Build the official SDK's request model from a body dict, to prove the body fits the SDK.

``huaweicloudsdkief`` models carry no validation, but they do fix the field names and types the
SDK can send: a body that survives ``to_sdk_model`` and serialises back unchanged through
``huaweicloudsdkcore.utils.http_utils.sanitize_for_serialization`` is one the SDK can submit.

The SDK is imported inside the function: importing ``huaweicloudsdkief.v1`` takes about 0.25 s and
writes ``$HOME/.huaweicloud/application_id``, so tests must point HOME at a temporary directory
before the first call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import ModuleType
from typing import Any

# openapi_types spell containers as "list[Inner]" and "dict(str, Inner)".
_LIST_TYPE = re.compile(r"list\[(.+)\]")
_DICT_TYPE = re.compile(r"dict\(str, (.+)\)")
_PRIMITIVES: Mapping[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "object": (object,),
}


class SdkModelError(ValueError):
    """The body does not fit the SDK models; ``path`` is a JSON path into the body."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def to_sdk_model(body: dict[str, object]) -> Any:
    """The SDK's create-deployment body model (``huaweicloudsdkief.v1.Deployment``) for ``body``.

    Every key must be a wire name of the model at its level (``attribute_map`` values, e.g.
    ``exec`` for the ``_exec`` attribute of ``Probe``) and every value of the declared type;
    otherwise ``SdkModelError`` says where.
    """
    from huaweicloudsdkief import v1  # lazy: slow, and writes $HOME/.huaweicloud (see above)

    # Take the body model's name from the request model, so an SDK rename cannot go unnoticed.
    root = v1.CreateDeploymentsRequest.openapi_types["body"]
    return _build(v1, root, body, "$")


def _build(sdk: ModuleType, type_name: str, value: object, path: str) -> Any:
    if match := _LIST_TYPE.fullmatch(type_name):
        if not isinstance(value, list):
            raise SdkModelError(path, f"expected a list for {type_name}")
        return [_build(sdk, match[1], item, f"{path}[{i}]") for i, item in enumerate(value)]
    if match := _DICT_TYPE.fullmatch(type_name):
        if not isinstance(value, dict):
            raise SdkModelError(path, f"expected an object for {type_name}")
        return {key: _build(sdk, match[1], item, f"{path}.{key}") for key, item in value.items()}
    if type_name in _PRIMITIVES:
        # bool is an int in Python, but the SDK's int fields must not carry JSON booleans.
        wrong_bool = isinstance(value, bool) and type_name in ("int", "float")
        if value is None or wrong_bool or not isinstance(value, _PRIMITIVES[type_name]):
            raise SdkModelError(path, f"expected {type_name}, got {type(value).__name__}")
        return value
    model = getattr(sdk, type_name)
    if not isinstance(value, dict):
        raise SdkModelError(path, f"expected an object for {type_name}")
    attribute_by_wire = {wire: attr for attr, wire in model.attribute_map.items()}
    instance = model()
    for key, item in value.items():
        attribute = attribute_by_wire.get(key)
        if attribute is None:
            raise SdkModelError(f"{path}.{key}", f"{type_name} has no field {key!r}")
        built = _build(sdk, model.openapi_types[attribute], item, f"{path}.{key}")
        setattr(instance, attribute, built)
    return instance

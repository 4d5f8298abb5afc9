"""Optional parts of the install: which features need which extra, and what to run to get it.

``pip install k8s2ief`` brings what convert, audit and validate need; reading a cluster and
submitting to IEF need the ``cluster`` and ``submit`` extras.
"""

from __future__ import annotations

import importlib.util

# extra -> the top-level modules it installs
EXTRAS: dict[str, tuple[str, ...]] = {
    "cluster": ("kubernetes",),
    "submit": ("deepdiff", "huaweicloudsdkief"),
}


def missing_extra(extra: str, feature: str) -> str | None:
    """None when the extra is installed, else a one-line message saying what to install.

    Only looks the modules up (no import): cheap enough to check before any work starts.
    """
    absent = [name for name in EXTRAS[extra] if _absent(name)]
    if not absent:
        return None
    return (
        f"{feature} needs the optional {extra!r} part of k8s2ief ({', '.join(absent)} is not "
        f"installed): pip install 'k8s2ief[{extra}]'"
    )


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a broken or half-removed package counts as absent
        return True

"""Regular expressions compiled on their first use.

Compiling a pattern costs 50-600 us. Patterns most conversions never need (Helm actions, output
file names, code prefixes, volume names, floats) were compiled at import on every start; a
``lazy`` pattern is compiled by the first call of one of its methods, and from then on that
call is the compiled pattern's own bound method, found in the instance's dictionary: as fast as
a module-level ``re.compile`` after the first use.
"""

from __future__ import annotations

import re
from typing import AnyStr, cast

_METHODS = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split")


class _Lazy:
    """Stands in for an ``re.Pattern`` until one of its methods is first looked up."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> object:
        # Reached only for attributes the instance does not hold yet: compile once, then keep
        # the compiled pattern's methods here, so this is never reached again for them.
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def lazy(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """A pattern compiled on its first use; typed, and used, as the compiled pattern."""
    return cast("re.Pattern[AnyStr]", _Lazy(pattern, flags))

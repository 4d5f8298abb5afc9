"""Files shipped inside the package, read by path.

importlib.resources would do the same through tempfile, pathlib and zipfile support that cost
a start-up about 10 ms; the package is always installed as plain files (setuptools'
package-data), so its own directory is where they are.
"""

from __future__ import annotations

import os

_ROOT = os.path.dirname(os.path.abspath(__file__))


def read_text(*parts: str) -> str:
    """The text of a packaged file, e.g. ``read_text("schemas", "report.schema.json")``."""
    with open(os.path.join(_ROOT, *parts), encoding="utf-8") as file:
        return file.read()

"""Write k8s2ief/schemas/create-deployment.schema.json from its template and the IEF contract.

Usage: python scripts/gen_schema.py
(tests/test_contract.py checks that the committed schema is what this writes; it then writes the
schema's checks as code too, k8s2ief/ief/schema_checks.py, through scripts/gen_validator.py)

The template, scripts/create-deployment.schema.in.json, holds the schema's shape and wording;
every limit and pattern in it is a ``@{NAME}`` placeholder for a value of
``k8s2ief.ief.contract.SCHEMA_VALUES``. The substitution is textual so that the schema keeps the
template's layout: a placeholder that is a whole JSON string becomes the value as JSON (a number
stays a number), one inside a longer string becomes the value's text, escaped for JSON.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "scripts" / "create-deployment.schema.in.json"
SCHEMA = ROOT / "k8s2ief" / "schemas" / "create-deployment.schema.json"

_WHOLE = re.compile(r'"@\{([A-Z_]+)\}"')
_INSIDE = re.compile(r"@\{([A-Z_]+)\}")


def render(template: str, values: Mapping[str, object]) -> str:
    """The template with every placeholder replaced; an unknown name is an error."""

    def lookup(name: str) -> object:
        if name not in values:
            raise KeyError(f"placeholder @{{{name}}} is not in the contract's SCHEMA_VALUES")
        return values[name]

    text = _WHOLE.sub(lambda m: json.dumps(lookup(m.group(1)), ensure_ascii=False), template)
    text = _INSIDE.sub(lambda m: _json_text(str(lookup(m.group(1)))), text)
    json.loads(text)  # the result must be JSON
    return text


def _json_text(value: str) -> str:
    """``value`` escaped for the inside of a JSON string."""
    return json.dumps(value, ensure_ascii=False)[1:-1]


def generate() -> str:
    from k8s2ief.ief.contract import SCHEMA_VALUES

    return render(TEMPLATE.read_text(encoding="utf-8"), SCHEMA_VALUES)


def main() -> int:
    SCHEMA.write_text(generate(), encoding="utf-8")
    print(f"wrote {SCHEMA.relative_to(ROOT)}", file=sys.stderr)
    # The checks conversions run are generated from the schema: keep them in step.
    sys.path.insert(0, str(ROOT / "scripts"))
    import gen_validator

    return gen_validator.main()


if __name__ == "__main__":
    sys.exit(main())

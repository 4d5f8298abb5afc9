"""Rewrite the expected outputs of every golden case (review the git diff afterwards)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from golden import cases, write_expected

for case in cases():
    write_expected(case)
    print(f"regenerated {case.name}")

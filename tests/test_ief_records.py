"""The plain record classes of k8s2ief/ief (Violation, ResourceRange) keep the value semantics of
the frozen dataclasses they replace, and format_path spells keys as the regular expression did."""

from __future__ import annotations

import pickle
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8s2ief.ief.contract import RESOURCES, ResourceRange
from k8s2ief.ief.violation import Violation, format_path


def test_violation_is_a_value() -> None:
    one = Violation("$.name", "schema.type", "expected string, got integer", ("name",))
    same = Violation("$.name", "schema.type", "expected string, got integer", ("name",))
    assert one == same and hash(one) == hash(same) and len({one, same}) == 1
    assert one != Violation("$.name", "schema.type", "other", ("name",))
    assert one != ("$.name", "schema.type", "expected string, got integer", ("name",))
    assert Violation("$", "one-target", "m").parts == ()
    assert repr(one) == (
        "Violation(path='$.name', rule='schema.type', message='expected string, got integer', "
        "parts=('name',))"
    )
    assert pickle.loads(pickle.dumps(one)) == one
    with pytest.raises(AttributeError):
        one.message = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del one.rule  # type: ignore[misc]


def test_resource_range_is_a_value() -> None:
    cpu = RESOURCES["cpu"]
    again = ResourceRange(cpu.low, cpu.high, cpu.unit, cpu.form)
    assert cpu == again and hash(cpu) == hash(again)
    assert cpu != RESOURCES["memory"]
    assert cpu.text == "0.01-1000"
    assert repr(RESOURCES["npu"]) == (
        "ResourceRange(low=Decimal('1'), high=Decimal('1000'), unit='', form='[1-9][0-9]*')"
    )
    assert RESOURCES["npu"].low == Decimal(1)
    with pytest.raises(AttributeError):
        cpu.low = Decimal(0)  # type: ignore[misc]


_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")  # how format_path decided before


@given(st.text(alphabet="aZ09_-.\n 'é\\ſK", max_size=6))
def test_format_path_spells_keys_as_the_regular_expression_did(key: str) -> None:
    expected = (
        "$." + key
        if _PLAIN_KEY.match(key)
        else "$['" + key.replace("\\", "\\\\").replace("'", "\\'") + "']"
    )
    assert format_path((key,)) == expected
    assert format_path((key, 0)) == expected + "[0]"

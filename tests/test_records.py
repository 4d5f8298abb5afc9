"""The slotted record classes keep what their dataclasses gave: equality, immutability where
frozen, pickling, ``replace()`` (with the checks of ``__init__``), independent defaults."""

from __future__ import annotations

import copy
import inspect
import pickle

import pytest

from k8s2ief.findings import Finding, Policy, Severity
from k8s2ief.load import Document, Limits
from k8s2ief.load.split import Chunk
from k8s2ief.pipeline import DocumentResult
from k8s2ief.records import Record
from k8s2ief.rules.ledger import Ledger, RawFinding
from k8s2ief.settings import Settings


def finding(**changes: object) -> Finding:
    base = Finding("KI101", Severity.ERROR, "spec.replicas", "too many", "a.yaml", 7, ("x",))
    return base.replace(**changes)


def test_equal_by_value_and_hashable_when_frozen() -> None:
    assert finding() == finding()
    assert finding() != finding(line=8)
    assert hash(finding()) == hash(finding())
    assert len({finding(), finding(), finding(line=None)}) == 2
    assert RawFinding("KI008", ("a",), "m") == RawFinding("KI008", ("a",), "m")
    # Another class with the same fields is not equal (as with dataclasses).
    assert RawFinding("KI008", ("a",), "m") != Chunk(b"KI008", 1)


def test_frozen_records_refuse_assignment() -> None:
    f = finding()
    with pytest.raises(AttributeError):
        f.line = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del f.code
    with pytest.raises(AttributeError):
        f.extra = 1  # type: ignore[attr-defined]
    assert f.line == 7


def test_mutable_records_change_but_do_not_hash() -> None:
    result = DocumentResult("a.yaml", 1, "Deployment", "web", "converted")
    result.status = "lossy"
    assert result.status == "lossy"
    with pytest.raises(TypeError):
        hash(result)
    with pytest.raises(AttributeError):  # slots: no stray attributes
        result.stray = 1  # type: ignore[attr-defined]


def test_defaults_are_not_shared() -> None:
    one, two = Ledger(), Ledger()
    one.findings.append(RawFinding("KI008", (), "m"))
    one.consumed.add(("a",))
    assert two.findings == [] and two.consumed == set()
    first = DocumentResult("a", 1, None, None, "failed")
    first.findings.append(finding())
    assert DocumentResult("a", 1, None, None, "failed").findings == []
    assert Document("a", 1).notes is not Document("a", 1).notes


def test_pickle_and_copy_round_trip() -> None:
    result = DocumentResult(
        "a.yaml",
        3,
        "Deployment",
        "web",
        "lossy",
        {"deployment": {}},
        [finding()],
        False,
        frozenset({"KI8"}),
    )
    again = pickle.loads(pickle.dumps(result))
    assert again == result and again is not result
    assert again.findings[0] == finding()
    for record in (finding(), Chunk(b"kind: x\n", 4, True), Limits(max_depth=9), Policy()):
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.copy(record) == record
        assert copy.deepcopy(record) == record


def test_replace_changes_only_what_it_names_and_rejects_unknown_fields() -> None:
    assert finding(line=None).line is None
    assert finding(line=None).replace(line=7) == finding()
    with pytest.raises(TypeError):
        finding().replace(colour="red")


def test_settings_checks_run_on_construction_and_on_replace() -> None:
    with pytest.raises(ValueError, match="edition"):
        Settings(edition="gold")
    settings = Settings(node_id="n")
    with pytest.raises(ValueError, match="not both"):
        settings.replace(group_id="g")
    with pytest.raises(ValueError, match="platinum"):
        settings.replace(host_port_range=(30000, 30010))
    assert settings.replace(siblings={("Secret", "s"): ("k",)}).siblings == {
        ("Secret", "s"): ("k",)
    }
    with pytest.raises(ValueError, match="max_depth"):
        Limits(max_depth=0)


def test_repr_names_fields_and_leaves_out_node_trees() -> None:
    assert repr(Chunk(b"a", 2)) == "Chunk(text=b'a', first_line=2, oversize=False)"
    text = repr(Document("a.yaml", 1, {"kind": "Deployment"}, root=None))
    assert (
        text
        == "Document(source='a.yaml', line=1, data={'kind': 'Deployment'}, error=None, prefix=())"
    )


def all_records() -> list[type[Record]]:
    import k8s2ief.codes
    import k8s2ief.config
    import k8s2ief.conversion
    import k8s2ief.report.model
    import k8s2ief.rules.containers
    import k8s2ief.rules.host_ports
    import k8s2ief.rules.resources  # noqa: F401

    found, todo = [], [Record]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__slots__:
                found.append(sub)
    return found


def test_every_record_lists_its_init_parameters_as_its_slots() -> None:
    # replace(), pickling and equality read the fields from __slots__ in __init__'s order.
    records = all_records()
    assert {Finding, Policy, RawFinding, Ledger, DocumentResult, Document, Chunk, Limits} <= set(
        records
    )
    assert len(records) >= 20
    for cls in records:
        parameters = list(inspect.signature(cls.__init__).parameters)[1:]
        assert list(cls.__slots__) == parameters, cls


def test_spelled_out_reduce_agrees_with_the_generic_one() -> None:
    # Finding, Chunk and DocumentResult cross process boundaries often enough to pickle by a
    # hand-written __reduce__; it must list every field, in order, as the generic one does.
    result = DocumentResult("a", 1, "Deployment", "w", "lossy", {}, [finding()], True, frozenset())
    for record in (finding(), Chunk(b"x", 3, True)):
        assert type(record).__reduce__ is not Record.__reduce__
        assert record.__reduce__() == Record.__reduce__(record)
    # A result sends its findings as tuples of their fields (the Finding reduction's own),
    # every other field as the generic reduction does, and is rebuilt equal.
    rebuild, fields = result.__reduce__()
    generic = Record.__reduce__(result)[1]
    assert fields[:6] == generic[:6] and fields[7:] == generic[7:]
    assert fields[6] == [f.__reduce__()[1] for f in result.findings]
    assert rebuild(*fields) == result

"""docs/torch-coverage.md is true: every name marked "yes" exists in nnscratch and names a
test that exists and mentions it; every name marked "no" raises ``NotImplementedError``
(never a bare ``AttributeError``), naming the feature.

A name is written as torch spells it, from ``torch.``: ``torch.nn.Linear``,
``torch.Tensor.view``, ``torch.nn.Module.parameters``, and a keyword argument as
``torch.zeros(device=)``. The same path is looked up from ``nnscratch``.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from coverage_pages import rows, source_of

import nnscratch as ns

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "torch-coverage.md"


def _rows() -> list[dict]:
    return rows(DOC)


def _split(name: str) -> tuple[list[str], str | None]:
    """``torch.zeros(device=)`` -> (["zeros"], "device");
    ``torch.nn.Linear`` -> (["nn", "Linear"], None)."""
    keyword = None
    if name.endswith("=)"):
        name, _, keyword = name[:-2].partition("(")
    parts = name.split(".")
    assert parts[0] == "torch", f"{name}: names start with 'torch.'"
    return parts[1:], keyword


def _example(kind: str):
    """An instance to look up ``torch.Tensor.x``, ``torch.nn.Module.x`` and
    ``torch.optim.Optimizer.x`` on (instance attributes such as ``param_groups`` included)."""
    weight = ns.nn.Parameter(ns.ones(2, 2))
    return {
        "Tensor": ns.ones(2, 2, requires_grad=True),
        "Module": ns.nn.Linear(2, 2),
        "Optimizer": ns.optim.SGD([weight], lr=0.1),
    }[kind]


def _resolve(parts: list[str]):
    if parts[:1] == ["Tensor"] or parts[:2] in (["nn", "Module"], ["optim", "Optimizer"]):
        kind = parts[0] if parts[0] == "Tensor" else parts[1]
        parts = parts[1:] if kind == "Tensor" else parts[2:]
        obj = _example(kind)
    else:
        obj = ns
    for part in parts:
        obj = getattr(obj, part)
    return obj


def _accepts(fn, keyword: str) -> bool:
    if isinstance(fn, type):
        fn = fn.__init__
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    return keyword in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


YES = [r for r in _rows() if r["status"] == "yes"]
NO = [r for r in _rows() if r["status"] == "no"]


def test_the_table_covers_the_teaching_code_and_each_name_once():
    names = [r["name"] for r in _rows()]
    assert len(names) > 300, "the coverage table is missing or unreadable"
    duplicates = {n for n in names if names.count(n) > 1}
    assert not duplicates, f"listed twice: {sorted(duplicates)}"
    assert len(YES) > 10 * len(NO) > 0


@pytest.mark.parametrize("row", YES, ids=[r["name"] for r in YES])
def test_a_name_marked_yes_exists_and_its_test_mentions_it(row):
    parts, keyword = _split(row["name"])
    obj = _resolve(parts)
    if keyword:
        assert _accepts(obj, keyword), f"{row['name']}: {keyword}= is not accepted"
    reference = row["where"].strip("`")
    source = source_of(reference)
    for word in [parts[-1], keyword] if keyword else [parts[-1]]:
        assert re.search(rf"\b{re.escape(word)}\b", source), f"{reference} never mentions {word}"


def _call_or_touch(parts: list[str]) -> None:
    """Look the name up; call it if it is callable, with ``None`` for each required
    positional argument (a refusal must come before the arguments are used)."""
    obj = _resolve(parts)
    if callable(obj):
        obj(*[None] * _required(obj))


def _required(fn) -> int:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(p.kind in positional and p.default is p.empty for p in parameters)


@pytest.mark.parametrize("row", NO, ids=[r["name"] for r in NO])
def test_a_name_marked_no_raises_not_implemented_naming_it(row):
    parts, _ = _split(row["name"])
    with pytest.raises(NotImplementedError, match=re.escape(parts[-1])):
        _call_or_touch(parts)

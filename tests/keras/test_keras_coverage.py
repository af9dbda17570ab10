"""docs/keras-coverage.md is true and complete.

- Complete: every public name of real Keras 3's ``keras.ops``, ``keras.layers``,
  ``keras.losses``, ``keras.metrics``, ``keras.callbacks``, ``keras.utils`` and
  ``keras.random`` has a row.
- True: a name marked "yes" resolves from ``nnscratch.keras``, and the test named beside it
  exists and mentions it; a ``keras.ops`` function also takes Keras's parameters, with
  Keras's defaults. A name marked "no" raises ``NotImplementedError`` naming it (which is an
  ``AttributeError`` too, so ``hasattr`` stays quiet).
"""

from __future__ import annotations

import inspect
import os
import re
import types
from pathlib import Path

import pytest
from coverage_pages import rows, source_of

from nnscratch import keras as nk

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "keras-coverage.md"
PACKAGES = ("ops", "layers", "losses", "metrics", "callbacks", "utils", "random")
ROWS = rows(DOC)
YES = [r for r in ROWS if r["status"] == "yes"]
NO = [r for r in ROWS if r["status"] == "no"]


def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    if os.environ.get("CI"):
        import keras

        return keras
    return pytest.importorskip("keras")


def _parts(name: str) -> list[str]:
    parts = name.split(".")
    assert parts[0] == "keras" and parts[1] in PACKAGES, f"{name}: expected keras.<package>.x"
    return parts[1:]


def _resolve(lib, parts: list[str]):
    obj = lib
    for part in parts:
        obj = getattr(obj, part)
    return obj


def public_names(keras) -> list[str]:
    """Real Keras's public names in the covered packages, and ``keras.ops.image``'s (the other
    submodules of ``keras.ops`` hold the same functions as ``keras.ops`` itself)."""
    names = []
    for package in PACKAGES:
        module = getattr(keras, package)
        for name in dir(module):
            if not name.startswith("_") and not isinstance(getattr(module, name), types.ModuleType):
                names.append(f"keras.{package}.{name}")
    names += [f"keras.ops.image.{n}" for n in dir(keras.ops.image) if not n.startswith("_")]
    return names


def test_the_page_lists_every_public_keras_name_once():
    listed = [r["name"] for r in ROWS]
    duplicates = sorted({n for n in listed if listed.count(n) > 1})
    assert not duplicates, f"listed twice: {duplicates}"
    missing = sorted(set(public_names(_keras())) - set(listed))
    assert not missing, f"{len(missing)} Keras names have no row: {missing[:20]}"
    assert len(YES) > len(NO) > 0


@pytest.mark.parametrize("row", YES, ids=[r["name"] for r in YES])
def test_a_name_marked_yes_exists_and_its_test_mentions_it(row):
    parts = _parts(row["name"])
    _resolve(nk, parts)
    reference = row["where"].strip("`")
    source = source_of(reference)
    assert re.search(rf"\b{re.escape(parts[-1])}\b", source), f"{reference} never mentions it"


def _parameters(fn) -> list[tuple]:
    """``(name, kind, default)`` of each parameter; ``**kwargs`` and ``*args`` by kind only."""
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out.append((p.kind.name,))
        else:
            out.append((p.name, p.default))
    return out


OPS = [r for r in YES if r["name"].startswith("keras.ops.")]


@pytest.mark.parametrize("row", OPS, ids=[r["name"] for r in OPS])
def test_an_op_takes_keras_parameters_and_defaults(row):
    """Keras code passes arguments by Keras's names (``axis=``, ``keepdims=``) and relies on
    Keras's defaults, so an op's parameters are Keras's, in Keras's order."""
    parts = _parts(row["name"])
    ours, theirs = _resolve(nk, parts), _resolve(_keras(), parts)
    if isinstance(theirs, type):
        ours, theirs = ours.__init__, theirs.__init__
    assert _parameters(ours) == _parameters(theirs), f"{row['name']}: signature differs"


def _required(fn) -> int:
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    parameters = inspect.signature(fn).parameters.values()
    return sum(p.kind in positional and p.default is p.empty for p in parameters)


@pytest.mark.parametrize("row", NO, ids=[r["name"] for r in NO])
def test_a_name_marked_no_raises_not_implemented_naming_it(row):
    """A missing class or function raises when it is looked up (and ``hasattr`` is False); a
    ``keras.ops`` function Keras's code may import but nnscratch cannot compute raises when
    called, before it reads its arguments."""
    parts = _parts(row["name"])
    owner = _resolve(nk, parts[:-1])
    with pytest.raises(NotImplementedError, match=re.escape(row["name"])):
        fn = getattr(owner, parts[-1])
        fn(*[None] * _required(fn))
    if not callable(getattr(owner, parts[-1], None)):
        assert not hasattr(owner, parts[-1])


def test_every_reason_given_is_for_a_name_that_is_missing():
    """``not_built.REASONS`` names only Keras names nnscratch lacks: a layer that gets built
    leaves the table, so no refusal outlives the feature."""
    from nnscratch.keras.not_built import REASONS

    keras = _keras()
    for package, reasons in REASONS.items():
        ours, theirs = getattr(nk, package), getattr(keras, package)
        built = sorted(name for name in reasons if name in vars(ours))
        assert not built, f"keras.{package}: built, yet listed as not built: {built}"
        unknown = sorted(name for name in reasons if not hasattr(theirs, name))
        assert not unknown, f"keras.{package}: not Keras names: {unknown}"

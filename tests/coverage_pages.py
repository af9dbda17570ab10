"""Reading a coverage page (``docs/torch-coverage.md``, ``docs/keras-coverage.md``): its rows,
and the source of the test each "yes" row names, so that a test can check that the named test
exists and mentions the name.

A row is ``| `name` | yes | `tests/<folder>/test_x.py::test_y` |`` or ``| `name` | no | reason |``.
A reference may also end in a table's name (``tests/ops/test_parity_table.py::ROWS``): the
module-level list that parametrizes a test.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<status>yes|no) \| (?P<where>.*?) \|$")


def rows(page: Path) -> list[dict]:
    """The table rows of a coverage page, as ``{"name", "status", "where"}`` dicts."""
    return [m.groupdict() for m in map(ROW.match, page.read_text().splitlines()) if m]


@functools.cache
def source_of(reference: str) -> str:
    """The source of a test function with its decorators, the module-level tables it reads
    (a parametrize list) and the module's functions it calls (the model it builds), or of a
    table that parametrizes tests (``tests/ops/test_parity_table.py::ROWS``) with the tables
    and the module's functions that build its rows."""
    path, _, test = reference.partition("::")
    expected = "expected tests/<folder>/test_*.py::name"
    assert path.startswith("tests/") and path.endswith(".py") and test, f"{reference}: {expected}"
    text = (ROOT / path).read_text()
    module = ast.parse(text)
    tables = {
        target.id: ast.get_source_segment(text, node)
        for node in module.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == test:
            assert test.startswith("test_"), f"{reference} is not a test"
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            own = "\n".join(text.splitlines()[first - 1 : node.end_lineno])
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in tables}
            helpers = _builders(text, module, node)
            return "\n".join([own, *(tables[name] for name in sorted(used)), *helpers])
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        # a module-level table that parametrizes tests
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
            getattr(t, "id", None) == test for t in targets
        ):
            assert len(re.findall(rf"\b{test}\b", text)) > 1, f"{reference}: never used"
            used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in tables}
            parts = [tables[name] for name in sorted(used - {test})]  # (ROWS = A_ROWS + B_ROWS)
            own = ast.get_source_segment(text, node)
            return "\n".join([own, *parts, *_builders(text, module, node)])
    raise AssertionError(f"{reference}: no such test")


def _builders(text: str, module: ast.Module, node: ast.AST) -> list[str]:
    """The source of the module-level functions that a table or a test calls, with the tables
    those functions read: a table's rows (``ROWS = numbered(reduction_rows() + nan_rows())``,
    ``nan_rows`` looping over ``NAN_NAMES``) or a test's model are written there."""
    functions = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
    tables = {t.id: n for n in module.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name)}  # fmt: skip
    called = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name) and n.func.id in functions}  # fmt: skip
    found = [functions[name] for name in sorted(called)]
    read = {n.id for f in found for n in ast.walk(f) if isinstance(n, ast.Name) and n.id in tables}
    found += [tables[name] for name in sorted(read)]  # (the names a builder loops over)
    return [ast.get_source_segment(text, part) for part in found]

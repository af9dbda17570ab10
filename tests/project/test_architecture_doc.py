"""docs/architecture.md stays true to the tree: every file or folder it names exists, and the
README points to it instead of a page outside the repository.

A path is a code span made only of path characters with at least one ``/``
(``nnscratch/ops/workspace.py``, ``nnscratch/keras/optimizers/``, ``.ci/run``), written from
the repository root. Code moves between files; when this test fails, fix the page.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"
README = ROOT / "README.md"
CODE_SPAN = re.compile(r"`([^`\n]+)`")
PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)+/?|[\w.-]+/")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def paths_in(text: str) -> list[str]:
    """The code spans of ``text`` that are paths.

    >>> paths_in("see `nnscratch/ops/reduce.py`, `x.sum(dim=1)` and `tests/`")
    ['nnscratch/ops/reduce.py', 'tests/']
    """
    return [span for span in CODE_SPAN.findall(text) if PATH.fullmatch(span)]


def test_every_path_on_the_page_exists():
    paths = paths_in(DOC.read_text())
    assert len(paths) >= 40, f"only {len(paths)} paths found: has the page's format changed?"
    missing = sorted({p for p in paths if not (ROOT / p).exists()})
    assert not missing, f"docs/architecture.md names paths that do not exist: {missing}"


def test_the_pages_links_resolve():
    for target in LINK.findall(DOC.read_text()):
        if "://" not in target:
            assert (DOC.parent / target.split("#")[0]).exists(), f"broken link {target}"


def test_readme_links_the_page_and_nothing_outside_the_repository():
    text = README.read_text()
    assert "(docs/architecture.md)" in text
    outside = [t for t in LINK.findall(text) + paths_in(text) if t.startswith("../")]
    assert not outside, f"README.md points outside the repository: {outside}"

"""Imports point down the stack: autograd <- ops <- nn (DESIGN.md, section 1).

Checked statically: every ``nnscratch`` import in a layer's files names its own layer or one
below. The one sanctioned exception: autograd/tensor.py exposes the ops as Tensor methods.
"""

import ast
from pathlib import Path

import nnscratch

ROOT = Path(nnscratch.__file__).parent
RANK = {
    "random": 0, "datasets": 0, "autograd": 0, "ops": 1, "nn": 2, "optim": 2, "utils": 2,
    "keras": 3, "io": 1, "errors": 0, "viz": 3, "scratch": 0, "cli": 4,
}  # fmt: skip
EXCEPTIONS = {("autograd/tensor.py", "ops")}


def _imported_layers(path: Path):
    package = path.relative_to(ROOT).parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - node.level + 1])
            parts = base + (node.module.split(".") if node.module else [])
            names = [parts[0]] if parts else [a.name for a in node.names]
            yield from names
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("nnscratch."):
            yield node.module.split(".")[1]


def test_imports_point_down():
    for layer, rank in RANK.items():
        files = [ROOT / f"{layer}.py"] if (ROOT / f"{layer}.py").exists() else []
        files += sorted((ROOT / layer).rglob("*.py")) if (ROOT / layer).is_dir() else []
        for path in files:
            relative = path.relative_to(ROOT).as_posix()
            for target in _imported_layers(path):
                if target in RANK and (relative, target) not in EXCEPTIONS:
                    assert RANK[target] <= rank, f"{relative} imports the higher layer {target}"

"""``nnscratch.linalg``, read like ``torch.linalg``: norms, products and decompositions.

The ops live in ``nnscratch.ops`` (``norm``, ``decomposition``, ``arithmetic``); this module
gives them torch.linalg's names.

>>> import nnscratch as ns
>>> A = ns.tensor([[2.0, 0.0], [0.0, 4.0]])
>>> ns.linalg.det(A).item(), ns.linalg.norm(ns.tensor([3.0, 4.0])).item()
(8.0, 5.0)
"""

from __future__ import annotations

from .ops.arithmetic import matmul
from .ops.decomposition import det, eigh, eigvalsh, inv, solve, svdvals
from .ops.decomposition import linalg_cross as cross
from .ops.decomposition import linalg_svd as svd
from .ops.norm import linalg_norm as norm
from .ops.norm import matrix_norm, vector_norm

__all__ = [
    "norm", "vector_norm", "matrix_norm", "matmul", "cross", "det", "inv", "solve", "svd",
    "svdvals", "eigh", "eigvalsh",
]  # fmt: skip

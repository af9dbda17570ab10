"""``Dropout``: zero elements at random while training, scaling the rest by 1 / (1 - p).

The function itself lives in ``nnscratch.ops.dropout`` (shared with attention's dropout).
"""

from __future__ import annotations

from ..autograd.tensor import Tensor
from ..ops.dropout import check_p, dropout
from .module import Module

__all__ = ["Dropout", "dropout"]


class Dropout(Module):
    """Randomly zeroes elements with probability ``p`` in training mode; identity in eval mode.

    >>> import nnscratch as ns
    >>> layer = ns.nn.Dropout(0.2).eval()
    >>> layer(ns.ones(3)).tolist(), layer
    ([1.0, 1.0, 1.0], Dropout(p=0.2, inplace=False))
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = check_p(p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"

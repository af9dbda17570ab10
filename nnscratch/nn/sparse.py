"""``Embedding``: a learned table of vectors, looked up by integer id."""

from __future__ import annotations

from numbers import Integral

from ..autograd.device import check as check_device
from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..ops.creation import empty
from ..ops.embedding import _padding_index, embedding
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """Maps ids in ``[0, num_embeddings)`` to rows of ``weight`` (num_embeddings, embedding_dim).

    The weight starts as N(0, 1) draws with the ``padding_idx`` row zeroed; that row also gets
    no gradient, so it stays a fixed "no token" vector.

    >>> import nnscratch as ns
    >>> emb = ns.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(ns.tensor([[1, 2, 0]])).shape, emb.weight[0].tolist(), emb
    ((1, 3, 3), [0.0, 0.0, 0.0], Embedding(10, 3, padding_idx=0))
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        self.num_embeddings = _size("num_embeddings", num_embeddings)
        self.embedding_dim = _size("embedding_dim", embedding_dim)
        self.padding_idx = _padding_index(padding_idx, num_embeddings, "Embedding")
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            dtype = get_default_dtype() if dtype is None else to_dtype(dtype)
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype))
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Embedding: _weight must have shape ({num_embeddings}, {embedding_dim}), "
                    f"received {tuple(_weight.shape)}"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """N(0, 1) draws, the padding row zeroed (torch's scheme)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return embedding(
            input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
            self.scale_grad_by_freq, self.sparse,
        )  # fmt: skip

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (2-D), frozen unless ``freeze=False``.

        >>> import nnscratch as ns
        >>> emb = ns.nn.Embedding.from_pretrained(ns.tensor([[1.0, 2.0], [3.0, 4.0]]))
        >>> emb(ns.tensor([1])).tolist(), emb.weight.requires_grad
        ([[3.0, 4.0]], False)
        """
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            raise ValueError("Embedding.from_pretrained: embeddings must be a 2-D Tensor")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)  # fmt: skip

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        for name, default in (("padding_idx", None), ("max_norm", None), ("norm_type", 2.0),
                              ("scale_grad_by_freq", False), ("sparse", False)):  # fmt: skip
            value = getattr(self, name)
            if value != default:
                text += f", {name}={value}"
        return text


def _size(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"Embedding: {name} must be a non-negative int, received {value!r}")
    return int(value)

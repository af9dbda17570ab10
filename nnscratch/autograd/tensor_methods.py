"""Tensor's named methods for shapes, reductions, indexing, sorting and sampling: thin doors
to the functions in ``nnscratch.ops``.

``Tensor`` inherits them, so ``x.sum(dim=1)`` reads as in torch and calls ``_ops.sum``, which
checks the arguments. Every method is written out, as everywhere in Tensor (the note atop
``tensor.py`` gives the one dispatch style); the operators (``x * y``) are in ``tensor.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .numpy_names import numpy_names

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorMethods:
    """Reductions, comparisons, shapes, indexing, sorting, creation and sampling."""

    __slots__ = ()

    def clamp(self, min=None, max=None) -> Tensor:  # noqa: A002 (torch's names)
        return _ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other) -> Tensor:
        return _ops.maximum(self, other)

    def minimum(self, other) -> Tensor:
        return _ops.minimum(self, other)

    def where(self, condition, other) -> Tensor:
        return _ops.where(condition, self, other)

    def softmax(self, dim: int) -> Tensor:
        return _ops.softmax(self, dim)

    def log_softmax(self, dim: int) -> Tensor:
        return _ops.log_softmax(self, dim)

    @numpy_names
    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        return _ops.sum(self, dim, keepdim)

    @numpy_names
    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        return _ops.mean(self, dim, keepdim)

    @numpy_names
    def var(self, dim=None, *, correction: int = 1, keepdim: bool = False) -> Tensor:
        return _ops.var(self, dim, correction=correction, keepdim=keepdim)

    @numpy_names
    def std(self, dim=None, *, correction: int = 1, keepdim: bool = False) -> Tensor:
        return _ops.std(self, dim, correction=correction, keepdim=keepdim)

    @numpy_names
    def max(self, dim=None, keepdim: bool = False):
        return _ops.max(self, dim, keepdim)

    @numpy_names
    def min(self, dim=None, keepdim: bool = False):
        return _ops.min(self, dim, keepdim)

    @numpy_names
    def amax(self, dim=(), keepdim: bool = False) -> Tensor:
        return _ops.amax(self, dim, keepdim)

    @numpy_names
    def amin(self, dim=(), keepdim: bool = False) -> Tensor:
        return _ops.amin(self, dim, keepdim)

    @numpy_names
    def argmax(self, dim=None, keepdim: bool = False) -> Tensor:
        return _ops.argmax(self, dim, keepdim)

    @numpy_names
    def argmin(self, dim=None, keepdim: bool = False) -> Tensor:
        return _ops.argmin(self, dim, keepdim)

    @numpy_names
    def logsumexp(self, dim, keepdim: bool = False) -> Tensor:
        return _ops.logsumexp(self, dim, keepdim)

    def reshape(self, *shape) -> Tensor:
        return _ops.reshape(self, _sizes(shape))

    view = reshape

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return _ops.transpose(self, 0, 1) if self.ndim == 2 else self

    def permute(self, *dims) -> Tensor:
        return _ops.permute(self, _sizes(dims))

    def squeeze(self, dim=None) -> Tensor:
        return _ops.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _ops.unsqueeze(self, dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _ops.flatten(self, start_dim, end_dim)

    def expand(self, *sizes) -> Tensor:
        return _ops.expand(self, _sizes(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return _ops.expand(self, other.shape)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _ops.narrow(self, dim, start, length)

    def gather(self, dim: int, index: Tensor) -> Tensor:
        return _ops.gather(self, dim, index)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _ops.index_select(self, dim, index)

    def index_put(self, indices, values) -> Tensor:
        return _ops.index_put(self, indices, values)

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        return _ops.take_along_dim(self, indices, dim)

    def split(self, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.chunk(self, chunks, dim)

    def equal(self, other: Tensor) -> bool:
        return _ops.equal(self, other)

    def allclose(self, other: Tensor, rtol=1e-5, atol=1e-8, equal_nan=False) -> bool:
        return _ops.allclose(self, other, rtol, atol, equal_nan)

    def eq(self, other) -> Tensor:
        return _ops.eq(self, other)

    def ne(self, other) -> Tensor:
        return _ops.ne(self, other)

    def lt(self, other) -> Tensor:
        return _ops.lt(self, other)

    def le(self, other) -> Tensor:
        return _ops.le(self, other)

    def gt(self, other) -> Tensor:
        return _ops.gt(self, other)

    def ge(self, other) -> Tensor:
        return _ops.ge(self, other)

    # movement, indexing and sorting (nnscratch.ops.rearrange, scatter, sorting)
    def repeat(self, *sizes) -> Tensor:
        return _ops.rearrange.repeat(self, _sizes(sizes))

    def repeat_interleave(self, repeats, dim=None, *, output_size=None) -> Tensor:
        return _ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims) -> Tensor:
        return _ops.tile(self, _sizes(dims))

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return _ops.transpose(self, axis0, axis1)

    swapdims = swapaxes

    def movedim(self, source, destination) -> Tensor:
        return _ops.movedim(self, source, destination)

    moveaxis = movedim

    def view_as(self, other: Tensor) -> Tensor:
        return _ops.reshape(self, other.shape)

    reshape_as = view_as

    def contiguous(self, memory_format=None) -> Tensor:
        """This tensor when its array is C-contiguous, else a C-ordered copy (as torch)."""
        return _ops.rearrange.contiguous(self)

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def flip(self, *dims) -> Tensor:
        return _ops.flip(self, _sizes(dims))

    def fliplr(self) -> Tensor:
        return _ops.fliplr(self)

    def flipud(self) -> Tensor:
        return _ops.flipud(self)

    def roll(self, shifts, dims=None) -> Tensor:
        return _ops.roll(self, shifts, dims)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        return _ops.unbind(self, dim)

    def masked_fill(self, mask: Tensor, value) -> Tensor:
        return _ops.masked_fill(self, mask, value)

    def masked_fill_(self, mask: Tensor, value) -> Tensor:
        return self._inplace_op(_ops.masked_fill, mask, value)

    def masked_select(self, mask: Tensor) -> Tensor:
        return _ops.masked_select(self, mask)

    def nonzero(self, *, as_tuple: bool = False):
        return _ops.nonzero(self, as_tuple=as_tuple)

    def argwhere(self) -> Tensor:
        return _ops.argwhere(self)

    def scatter(self, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
        return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
        return self._inplace_op(_scatter_into, dim, index, src, value, reduce)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _ops.scatter_add(self, dim, index, src)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace_op(_ops.scatter_add, dim, index, src)

    def squeeze_(self, dim=None) -> Tensor:
        return self._become_view(_ops.squeeze(self.detach(), dim)._data, "squeeze_")

    def unsqueeze_(self, dim: int) -> Tensor:
        return self._become_view(_ops.unsqueeze(self.detach(), dim)._data, "unsqueeze_")

    def t_(self) -> Tensor:
        return self._become_view(self.detach().t()._data, "t_")

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        return _ops.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False):
        return _ops.argsort(self, dim, descending, stable=stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        return _ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False):
        return _ops.kthvalue(self, k, dim, keepdim)

    def median(self, dim=None, keepdim: bool = False):
        return _ops.median(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False):
        return _ops.mode(self, dim, keepdim)

    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim=None):  # fmt: skip
        return _ops.unique(self, sorted, return_inverse, return_counts, dim)

    # creation and sampling (nnscratch.ops.creation, sampling): new_* keep this dtype
    def new_tensor(self, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        dtype = self.dtype if dtype is None else dtype
        return _ops.tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        dtype = self.dtype if dtype is None else dtype
        return _ops.zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        dtype = self.dtype if dtype is None else dtype
        return _ops.ones(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        dtype = self.dtype if dtype is None else dtype
        return _ops.empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None,
                 requires_grad: bool = False) -> Tensor:  # fmt: skip
        dtype = self.dtype if dtype is None else dtype
        return _ops.full(size, fill_value, dtype=dtype, device=device, requires_grad=requires_grad)

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
        return _ops.sampling.normal_(self, mean, std, generator)

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
        return _ops.sampling.uniform_(self, from_, to, generator)

    def random_(self, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
        if to is None and from_ != 0:  # random_(to) draws from [0, to), as torch
            from_, to = 0, from_
        return _ops.sampling.random_(self, from_, to, generator)

    def bernoulli(self, p=None, *, generator=None) -> Tensor:
        return _ops.bernoulli(self, p, generator=generator)

    def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
        return _ops.sampling.bernoulli_(self, p, generator)

    def exponential_(self, lambd: float = 1.0, *, generator=None) -> Tensor:
        return _ops.sampling.exponential_(self, lambd, generator)

    def multinomial(self, num_samples: int, replacement: bool = False, *, generator=None):
        return _ops.multinomial(self, num_samples, replacement, generator=generator)


def _sizes(args: tuple) -> tuple:
    """Accept torch's two spellings: ``x.reshape(2, 3)`` and ``x.reshape((2, 3))``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def _scatter_into(self, dim, index, src, value, reduce):
    """``scatter_``'s value, out of place: what ``_inplace_op`` writes back."""
    return _ops.scatter(self, dim, index, src, value=value, reduce=reduce)


# ``nnscratch.ops`` is built on Tensor, which inherits these methods, so it cannot be imported
# here: tensor.py hands it over with ``bind`` once the class exists (the one exception to the
# layering, tests/project/test_layering.py, stays in tensor.py).
_ops = None


def bind(ops) -> None:
    """Give this module ``nnscratch.ops``; tensor.py calls it once, after ``Tensor`` exists."""
    global _ops
    _ops = ops

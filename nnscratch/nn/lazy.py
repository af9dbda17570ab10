"""Lazy layers, as ``torch.nn``: ``LazyLinear``, ``LazyConv1d``/``2d``,
``LazyConvTranspose2d`` and ``LazyBatchNorm1d``/``2d`` learn their input size from the first
batch.

Until then their parameters are ``UninitializedParameter`` placeholders (already the objects an
optimizer holds: they are filled in place). The first call reads the size from the input,
materializes them with the ordinary layer's init, and turns the module into that layer: a
``LazyLinear`` becomes a ``Linear`` (``type(m) is nn.Linear``), as in torch.
"""

from __future__ import annotations

import numpy as np

from ..autograd.dtypes import get_default_dtype, to_dtype
from ..autograd.tensor import Tensor
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d
from .parameter import Parameter

__all__ = [
    "UninitializedParameter", "UninitializedBuffer", "LazyModuleMixin", "LazyLinear",
    "LazyConv1d", "LazyConv2d", "LazyConvTranspose2d", "LazyBatchNorm1d", "LazyBatchNorm2d",
]  # fmt: skip

_UNSHAPED = (
    "Can't access the shape of an uninitialized parameter or buffer: call the module on a "
    "first batch to initialize its parameters (a lazy module learns its input size from it)"
)


class _Uninitialized:
    """What the two placeholders share: no shape yet, a dtype, and ``materialize``."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape: tuple, device=None, dtype=None) -> None:
        """Give the placeholder storage of ``shape`` (uninitialised values) and make it the
        ordinary class, in place: every holder of this object sees the new tensor."""
        dtype = self._data.dtype if dtype is None else to_dtype(dtype)
        self._data = np.empty(tuple(shape), dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNSHAPED)

    @property
    def ndim(self):
        raise RuntimeError(_UNSHAPED)

    def size(self, dim=None):
        raise RuntimeError(_UNSHAPED)

    def numel(self):
        raise RuntimeError(_UNSHAPED)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter whose shape is not known yet (torch's name); a lazy module fills it.

    >>> import nnscratch as ns
    >>> w = ns.nn.UninitializedParameter()
    >>> w
    <UninitializedParameter>
    >>> w.materialize((2, 3)); type(w).__name__, w.shape
    ('Parameter', (2, 3))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None) -> None:
        super().__init__(Tensor(np.empty((0,), _dtype(dtype))), requires_grad)


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet (BatchNorm's running statistics)."""

    __slots__ = ()

    def __init__(self, requires_grad: bool = False, device=None, dtype=None) -> None:
        super().__init__(np.empty((0,), _dtype(dtype)), requires_grad)


def _dtype(dtype):
    return get_default_dtype() if dtype is None else to_dtype(dtype)


class LazyModuleMixin:
    """Turns a layer lazy: the first call infers the input size (``initialize_parameters``),
    then the module becomes ``cls_to_become``. Subclasses set their placeholders in
    ``__init__`` and write ``initialize_parameters(input)``."""

    cls_to_become: type | None = None

    def has_uninitialized_params(self) -> bool:
        """True while any parameter or buffer is still a placeholder."""
        tables = (self._parameters.values(), self._buffers.values())
        return any(isinstance(t, _Uninitialized) for table in tables for t in table)

    def __call__(self, *args, **kwargs):
        if self.has_uninitialized_params():
            self._infer(args[0] if args else next(iter(kwargs.values()), None))
        return Module.__call__(self, *args, **kwargs)

    def _infer(self, input) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{type(self).__name__} infers its input size from its first call, which needs "
                f"a Tensor input; received {type(input).__name__}"
            )
        self.initialize_parameters(input)
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become
        self.reset_parameters()  # the ordinary layer's init, now that sizes are known

    def initialize_parameters(self, input: Tensor) -> None:
        raise NotImplementedError(f"{type(self).__name__} must write initialize_parameters")

    def reset_parameters(self) -> None:
        """Nothing to draw before the sizes are known (the base layer's __init__ calls this)."""


def _placeholders(module: Module, names: tuple, dtype, buffers: tuple = ()) -> None:
    """Swap the named parameters that exist (a bias may be None) and buffers for placeholders."""
    for name in names:
        if module._parameters.get(name) is not None:
            module._parameters[name] = UninitializedParameter(dtype=dtype)
    for name in buffers:
        if module._buffers.get(name) is not None:
            module._buffers[name] = UninitializedBuffer(dtype=dtype)


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is the last dimension of its first input.

    >>> import nnscratch as ns
    >>> layer = ns.nn.LazyLinear(2)
    >>> layer
    LazyLinear(in_features=0, out_features=2, bias=True)
    >>> layer(ns.zeros(4, 3)).shape, layer
    ((4, 2), Linear(in_features=3, out_features=2, bias=True))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(0, 0, bias, device, dtype)
        self.out_features = out_features
        _placeholders(self, ("weight", "bias"), _dtype(dtype))

    def initialize_parameters(self, input: Tensor) -> None:
        if input.ndim == 0:
            raise ValueError("LazyLinear expects an input with at least 1 dimension, received 0")
        self.in_features = input.shape[-1]
        self.weight.materialize((self.out_features, self.in_features))
        if self.bias is not None:
            self.bias.materialize((self.out_features,))


class _LazyConvMixin(LazyModuleMixin):
    """The conv layers' ``in_channels``: dim 1 of a batch, dim 0 of an unbatched input."""

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:  # fmt: skip
        # in_channels=groups only passes the base's check; the real size comes with the input.
        super().__init__(groups, out_channels, kernel_size, stride, padding, dilation, groups,
                         bias, padding_mode, device, dtype)  # fmt: skip
        self.in_channels = 0

    def _make_parameters(self, bias: bool, dtype) -> None:
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def initialize_parameters(self, input: Tensor) -> None:
        name, nd = type(self).__name__, self._nd
        if input.ndim not in (nd + 1, nd + 2):
            raise ValueError(
                f"{name} expects a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
                f"received shape {input.shape}"
            )
        channels = input.shape[0 if input.ndim == nd + 1 else 1]
        if channels % self.groups:
            raise ValueError(
                f"{name}: the input's {channels} channels must be divisible by "
                f"groups={self.groups}, received shape {input.shape}"
            )
        self.in_channels = channels
        rows, cols = (channels, self.out_channels)[:: 1 if self._transposed else -1]
        self.weight.materialize((rows, cols // self.groups, *self.kernel_size))
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))


class LazyConv1d(_LazyConvMixin, Conv1d):
    """A ``Conv1d`` whose ``in_channels`` comes from its first input.

    >>> import nnscratch as ns
    >>> conv = ns.nn.LazyConv1d(4, 3)
    >>> conv(ns.zeros(2, 5, 10)).shape, conv.weight.shape, type(conv).__name__
    ((2, 4, 8), (4, 5, 3), 'Conv1d')
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` comes from its first input.

    >>> import nnscratch as ns
    >>> conv = ns.nn.LazyConv2d(6, kernel_size=5, padding=2)
    >>> conv(ns.zeros(1, 3, 8, 8)).shape, conv
    ((1, 6, 8, 8), Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2)))
    """

    cls_to_become = Conv2d


class LazyConvTranspose2d(_LazyConvMixin, ConvTranspose2d):
    """A ``ConvTranspose2d`` whose ``in_channels`` comes from its first input.

    >>> import nnscratch as ns
    >>> up = ns.nn.LazyConvTranspose2d(2, 2, stride=2)
    >>> up(ns.zeros(1, 4, 3, 3)).shape, up.weight.shape
    ((1, 2, 6, 6), (4, 2, 2, 2))
    """

    cls_to_become = ConvTranspose2d

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:  # fmt: skip
        ConvTranspose2d.__init__(self, groups, out_channels, kernel_size, stride, padding,
                                 output_padding, groups, bias, dilation, padding_mode, device,
                                 dtype)  # fmt: skip
        self.in_channels = 0


class _LazyBatchNorm(LazyModuleMixin):
    """``num_features`` is dim 1 of the first input; weight 1, bias 0, fresh statistics."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:  # fmt: skip
        super().__init__(1, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.num_features = 0
        _placeholders(self, ("weight", "bias"), _dtype(dtype), ("running_mean", "running_var"))

    def initialize_parameters(self, input: Tensor) -> None:
        if input.ndim not in self._input_dims:
            dims = " or ".join(f"{d}D" for d in self._input_dims)
            raise ValueError(
                f"{type(self).__name__} expects {dims} input, received shape {input.shape}"
            )
        self.num_features = input.shape[1]
        for table in (self._parameters, self._buffers):
            for value in table.values():
                if isinstance(value, _Uninitialized):
                    value.materialize((self.num_features,))


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """A ``BatchNorm1d`` whose ``num_features`` comes from its first input.

    >>> import nnscratch as ns
    >>> bn = ns.nn.LazyBatchNorm1d()
    >>> bn(ns.randn(4, 3)).shape, bn.running_mean.shape, type(bn).__name__
    ((4, 3), (3,), 'BatchNorm1d')
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` comes from its first input.

    >>> import nnscratch as ns
    >>> ns.nn.LazyBatchNorm2d()(ns.randn(2, 3, 4, 4)).shape
    (2, 3, 4, 4)
    """

    cls_to_become = BatchNorm2d

"""Normalization layers: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm`` and ``GroupNorm``."""

from __future__ import annotations

from numbers import Integral

from ..autograd.device import check as check_device
from ..autograd.dtypes import get_default_dtype, int64, to_dtype
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..ops.creation import ones, tensor, zeros
from ..ops.normalization import _normalized_shape, batch_norm, group_norm, layer_norm
from .module import Module
from .parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "GroupNorm"]


def _dtype(dtype):
    return get_default_dtype() if dtype is None else to_dtype(dtype)


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ValueError(f"{name} must be a positive int, received {value!r}")
    return int(value)


def _affine_parameters(module: Module, shape: tuple, affine: bool, bias: bool, dtype) -> None:
    """``weight`` (ones) and ``bias`` (zeros) of ``shape``, or ``None`` placeholders."""
    if affine:
        module.weight = Parameter(ones(*shape, dtype=dtype))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(zeros(*shape, dtype=dtype))
    else:
        module.register_parameter("bias", None)


class _BatchNorm(Module):
    """Shared by BatchNorm1d and 2d: parameters, running statistics and the train/eval switch."""

    _input_dims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        dtype = _dtype(dtype)
        self.num_features = _count(f"{type(self).__name__}: num_features", num_features)
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats, self._bias = affine, track_running_stats, bias
        _affine_parameters(self, (num_features,), affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0, dtype=int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches counted."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Fresh running statistics, weight 1 and bias 0."""
        self.reset_running_stats()
        with no_grad():
            if self.weight is not None:
                self.weight.fill_(1)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked += 1
            if self.momentum is None:  # a cumulative average over all batches so far
                momentum = 1.0 / self.num_batches_tracked.item()
        # Without running statistics eval mode has none to use: it normalises with the batch's.
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        mean, var = (self.running_mean, self.running_var) if track else (None, None)
        return batch_norm(input, mean, var, self.weight, self.bias, use_batch, momentum, self.eps)

    def _check_input(self, input) -> None:
        ndim = getattr(input, "ndim", None)
        if ndim not in self._input_dims:
            dims = " or ".join(f"{d}D" for d in self._input_dims)
            found = (
                f"{ndim}D input of shape {input.shape}" if ndim is not None else f"{input!r:.60}"
            )
            raise ValueError(f"{type(self).__name__} expects {dims} input, received {found}")
        if input.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__} expects input with {self.num_features} channels (dim 1), "
                f"received shape {input.shape}"
            )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.affine and self._bias}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization over (N, C) or (N, C, L) input, one mean and variance per channel.

    Training mode normalises with the batch's statistics and updates ``running_mean`` and
    ``running_var`` (``momentum=None``: a cumulative average); eval mode uses the running ones.

    >>> import nnscratch as ns
    >>> bn = ns.nn.BatchNorm1d(2)
    >>> y = bn(ns.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> [round(v, 3) for v in y[:, 0].tolist()], [round(v, 6) for v in bn.running_mean.tolist()]
    ([-1.0, 1.0], [0.2, 2.0])
    >>> [name for name, _ in bn.state_dict().items()]
    ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
    """

    _input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over (N, C, H, W) input, one mean and variance per channel.

    >>> import nnscratch as ns
    >>> ns.nn.BatchNorm2d(3)(ns.randn(4, 3, 5, 5)).shape
    (4, 3, 5, 5)
    """

    _input_dims = (4,)


class LayerNorm(Module):
    """Normalises over the last dims, given by ``normalized_shape``, of every sample.

    >>> import nnscratch as ns
    >>> ln = ns.nn.LayerNorm(2, eps=0.0)
    >>> ln(ns.tensor([[1.0, 3.0]])).tolist(), ln
    ([[-1.0, 1.0]], LayerNorm((2,), eps=0.0, elementwise_affine=True, bias=True))
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self._bias = bias
        _affine_parameters(self, self.normalized_shape, elementwise_affine, bias, _dtype(dtype))

    def reset_parameters(self) -> None:
        with no_grad():
            if self.weight is not None:
                self.weight.fill_(1)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, "
            f"bias={self.elementwise_affine and self._bias}"
        )


class GroupNorm(Module):
    """Splits the channels into ``num_groups`` groups and normalises each group per sample.

    >>> import nnscratch as ns
    >>> gn = ns.nn.GroupNorm(2, 4)
    >>> gn(ns.randn(3, 4, 5)).shape, gn
    ((3, 4, 5), GroupNorm(2, 4, eps=1e-05, affine=True, bias=True))
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        check_device(type(self).__name__, device)
        self.num_groups = _count("GroupNorm: num_groups", num_groups)
        self.num_channels = _count("GroupNorm: num_channels", num_channels)
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        self.eps, self.affine, self._bias = eps, affine, bias
        _affine_parameters(self, (num_channels,), affine, bias, _dtype(dtype))

    def reset_parameters(self) -> None:
        LayerNorm.reset_parameters(self)  # the same: weight 1, bias 0

    def forward(self, input: Tensor) -> Tensor:
        if getattr(input, "ndim", 0) < 2 or input.shape[1] != self.num_channels:
            raise ValueError(
                f"GroupNorm expects input of shape (N, {self.num_channels}, *), received "
                f"{getattr(input, 'shape', type(input).__name__)}"
            )
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.affine and self._bias}"
        )

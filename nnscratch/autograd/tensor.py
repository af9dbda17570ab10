"""``Tensor``: a NumPy array that remembers how it was made, so gradients can flow back.

How a method reaches its op, one style for the whole class: every method is a ``def`` written
out, here or in a file ``Tensor`` inherits from, whose body calls the op. Nothing is attached
to the class after it is made and no table generates methods, so "go to definition" works.

- Here: the core (storage, autograd state, ``backward``) and every operator with its named
  twin. Where one ``Function`` is the whole op they call its ``apply`` (``x * y`` is
  ``Mul.apply(x, y)``): the hottest path is one call shorter and lands on the derivative.
  Where the op takes options or checks its input (``add``'s ``alpha``, ``abs`` refusing
  bool), they call the function in ``nnscratch.ops``, as every other method does.
- ``tensor_methods.py`` (shapes, reductions, indexing, sorting, sampling), ``tensor_math.py``
  (pointwise math, linear algebra, their in-place ``_`` forms) and ``tensor_conversion.py``
  (dtypes, devices, NumPy and Python values): ``x.sum(1)`` calls ``_ops.sum(x, 1)``.
- ``inplace.py``: ``+=``, ``add_``, ``copy_``, ``x[k] = v``: writes into the array.

The ops are built on ``Tensor``, so this file imports them at its end, once the class exists,
and hands the same ``nnscratch.ops`` module to the other files with their ``bind``.
"""

from __future__ import annotations

import numpy as np

from . import dtypes, engine, hooks
from .inplace import InplaceMixin
from .tensor_conversion import TensorConversion
from .tensor_math import TensorMath
from .tensor_methods import TensorMethods


class Tensor(TensorConversion, TensorMethods, TensorMath, InplaceMixin):
    """An n-dimensional array with reverse-mode autodiff, read like ``torch.Tensor``.

    >>> import nnscratch as ns
    >>> x = ns.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("_data", "_requires_grad", "_ctx", "_version", "_hooks", "_grad")
    __array_ufunc__ = None  # numpy defers to our reflected operators: array * tensor -> Tensor

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data._data
        self._data = dtypes.as_array(data, dtype)
        self._ctx = None
        self._version = 0
        self._hooks = None  # a hooks.TensorHooks once a hook or retain_grad is registered
        self._grad = None
        self._requires_grad = False
        self.requires_grad_(requires_grad)

    @staticmethod
    def _make(data, requires_grad: bool, ctx) -> Tensor:
        """Wrap an op's output without copying (the fast path used by ``Function.apply``)."""
        t = object.__new__(Tensor)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._requires_grad = requires_grad
        t._ctx = ctx
        t._version = 0
        t._hooks = None
        t._grad = None
        return t

    # ---- attributes -------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def T(self) -> Tensor:  # noqa: N802 (torch's name)
        """All dimensions reversed (the matrix transpose for 2-D)."""
        return _ops.permute(self, tuple(reversed(range(self.ndim))))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        """The last two dimensions swapped (a batch of transposed matrices)."""
        return _ops.transpose(self, -2, -1)

    @property
    def grad(self) -> Tensor | None:
        """The gradient that backward accumulated here (None before the first backward)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by an op that records a graph."""
        return self._ctx is None

    @property
    def grad_fn(self):
        """The recorded op that made this tensor (None for leaves)."""
        return self._ctx

    @property
    def data(self) -> Tensor:
        """The same storage, detached from the graph; writes to it are invisible to autograd."""
        return Tensor._make(self._data, False, None)

    @data.setter
    def data(self, value) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self._data.size)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    # ---- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Mark a leaf as trainable (float dtypes only, as in torch)."""
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, "
                f"this one is {self.dtype}"
            )
        if not requires_grad and self._ctx is not None:
            raise RuntimeError(
                "requires_grad_(False) only works on leaf tensors; use detach() on a "
                f"tensor made by {self._ctx.name()}"
            )
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on a tensor that has requires_grad=False")
        if self._ctx is not None:
            self._hook_table().retains_grad = True

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf whose ``.grad`` backward fills (see ``retain_grad``)."""
        return self._hooks is not None and self._hooks.retains_grad

    def register_hook(self, hook) -> hooks.RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. ``.remove()`` on the returned handle takes it off."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return self._hook_table().add(hook)

    def _hook_table(self) -> hooks.TensorHooks:
        if self._hooks is None:
            self._hooks = hooks.TensorHooks()
        return self._hooks

    def detach(self) -> Tensor:
        """A tensor sharing this storage, cut from the graph."""
        return Tensor._make(self._data, False, None)

    def backward(
        self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
        inputs=None,
    ) -> None:  # fmt: skip
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf it uses
        (only of ``inputs`` when given)."""
        if not self._requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: no input of the "
                "computation had requires_grad=True (or it ran under no_grad)"
            )
        if create_graph:
            engine.refuse_create_graph("Tensor.backward")
        gradient = self._initial_gradient(gradient)
        if inputs is None:
            engine.backward(self, gradient, bool(retain_graph))
        else:
            inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
            engine.backward_into({self: gradient}, bool(retain_graph), inputs)

    def _initial_gradient(self, gradient) -> np.ndarray:
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs, but this tensor "
                    f"has shape {self.shape}: pass backward(gradient=...) of that shape"
                )
            ones = np.empty(self.shape, self.dtype)
            ones.fill(1)  # (np.ones_like costs several times more for a scalar)
            return ones
        gradient = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient)
        if gradient.shape != self.shape:
            raise RuntimeError(
                f"backward: gradient has shape {gradient.shape}, expected the tensor's shape "
                f"{self.shape}"
            )
        return gradient.astype(self.dtype, copy=False)

    # ---- the operators' named twins ----------------------------------------------------------
    def add(self, other, alpha: float = 1) -> Tensor:
        return _ops.add(self, other, alpha=alpha)

    def sub(self, other, alpha: float = 1) -> Tensor:
        return _ops.sub(self, other, alpha=alpha)

    def mul(self, other) -> Tensor:
        return Mul.apply(self, other)

    def div(self, other) -> Tensor:
        return Div.apply(self, other)

    def neg(self) -> Tensor:
        return Neg.apply(self)

    def pow(self, exponent) -> Tensor:
        return Pow.apply(self, exponent)

    def matmul(self, other) -> Tensor:
        return MatMul.apply(self, other)

    def exp(self) -> Tensor:
        return Exp.apply(self)

    def log(self) -> Tensor:
        return Log.apply(self)

    def sqrt(self) -> Tensor:
        return Sqrt.apply(self)

    def abs(self) -> Tensor:
        return _ops.abs(self)

    def sin(self) -> Tensor:
        return Sin.apply(self)

    def cos(self) -> Tensor:
        return Cos.apply(self)

    def tanh(self) -> Tensor:
        return Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return ReLU.apply(self)

    # ---- operators: the op class's apply where one class is the whole op --------------------
    def __add__(self, other) -> Tensor:
        return Add.apply(self, other)

    def __radd__(self, other) -> Tensor:
        return Add.apply(other, self)

    def __sub__(self, other) -> Tensor:
        return Sub.apply(self, other)

    def __rsub__(self, other) -> Tensor:
        return Sub.apply(other, self)

    def __mul__(self, other) -> Tensor:
        return Mul.apply(self, other)

    def __rmul__(self, other) -> Tensor:
        return Mul.apply(other, self)

    def __truediv__(self, other) -> Tensor:
        return Div.apply(self, other)

    def __rtruediv__(self, other) -> Tensor:
        return Div.apply(other, self)

    def __pow__(self, exponent) -> Tensor:
        return Pow.apply(self, exponent)

    def __rpow__(self, base) -> Tensor:
        return Pow.apply(base, self)

    def __matmul__(self, other) -> Tensor:
        return MatMul.apply(self, other)

    def __rmatmul__(self, other) -> Tensor:
        return MatMul.apply(other, self)

    def __neg__(self) -> Tensor:
        return Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _ops.abs(self)

    def __getitem__(self, key) -> Tensor:
        return _ops.index(self, key)

    def __eq__(self, other) -> Tensor:  # type: ignore[override]
        return _ops.eq(self, other)

    def __ne__(self, other) -> Tensor:  # type: ignore[override]
        return _ops.ne(self, other)

    __hash__ = object.__hash__  # == is elementwise, so identity hashing must be explicit

    def __lt__(self, other) -> Tensor:
        return _ops.lt(self, other)

    def __le__(self, other) -> Tensor:
        return _ops.le(self, other)

    def __gt__(self, other) -> Tensor:
        return _ops.gt(self, other)

    def __ge__(self, other) -> Tensor:
        return _ops.ge(self, other)

    def __and__(self, other) -> Tensor:
        return _ops.bitwise_and(self, other)

    def __or__(self, other) -> Tensor:
        return _ops.bitwise_or(self, other)

    def __xor__(self, other) -> Tensor:
        return _ops.bitwise_xor(self, other)

    def __invert__(self) -> Tensor:
        return _ops.bitwise_not(self)

    def __mod__(self, other) -> Tensor:
        return _ops.remainder(self, other)

    def __rmod__(self, other) -> Tensor:
        return _ops.remainder(other, self)


def _check_grad(tensor: Tensor, grad) -> None:
    """What torch checks when ``.grad`` is assigned: a tensor of the same shape and dtype."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"assigned grad expected to be a Tensor or None but got grad of type "
            f"{type(grad).__name__}"
        )
    if grad.shape != tensor.shape:
        raise RuntimeError(
            f"attempting to assign a gradient of shape {grad.shape} to a tensor of shape "
            f"{tensor.shape}"
        )
    if grad.dtype != tensor.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient of dtype {grad.dtype} to a tensor of dtype "
            f"{tensor.dtype}"
        )


# Tensor's methods are the ops; the ops are built on Tensor. Importing them after the class
# resolves the cycle: by the time any method runs, both modules are complete.
from .. import ops as _ops  # noqa: E402
from ..ops.activation import ReLU, Sigmoid  # noqa: E402
from ..ops.arithmetic import Add, Div, MatMul, Mul, Neg, Pow, Sub  # noqa: E402
from ..ops.elementwise import Cos, Exp, Log, Sin, Sqrt, Tanh  # noqa: E402
from . import tensor_conversion, tensor_math, tensor_methods  # noqa: E402

tensor_conversion.bind(_ops)
tensor_methods.bind(_ops)
tensor_math.bind(_ops)

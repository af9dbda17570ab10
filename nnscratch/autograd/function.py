"""``Function``: the base of every differentiable op, and ``Context``, what an op keeps."""

from __future__ import annotations

import numpy as np

from . import grad_mode, inplace
from .tensor import Tensor


class Context:
    """One recorded op in the graph: its function, inputs and what backward needs.

    Ops may also set their own attributes (``ctx.dim = dim``) in ``forward``.
    """

    __slots__ = ("function", "needs_input_grad", "saved_tensors", "inputs", "stamp", "__dict__")

    def __init__(self, function: type, needs_input_grad: tuple[bool, ...]):
        # Function.apply builds contexts directly, setting only these two; ``inputs`` and
        # ``stamp`` are added when the op is recorded, ``saved_tensors`` by save_for_backward.
        self.function = function
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays) -> None:
        """Keep arrays (inputs or outputs) that ``backward`` will read."""
        self.saved_tensors = arrays

    def name(self) -> str:
        return f"{self.function.__name__}Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    @property
    def next_functions(self) -> tuple:
        """The nodes this one passes gradients to, torch's way: one ``(node, 0)`` pair per
        tensor input, where the node is the input's ``grad_fn``, an ``AccumulateGrad`` for a
        leaf that requires grad, or ``None``.

        >>> import nnscratch as ns
        >>> w = ns.ones(2, requires_grad=True)
        >>> (w * 3).sum().grad_fn.next_functions
        ((<MulBackward>, 0),)
        """
        if self.inputs is None:
            raise RuntimeError(
                f"{self.name()}.next_functions: this node was freed by a backward pass; pass "
                "retain_graph=True to backward to inspect the graph after it"
            )
        return tuple((_node_of(x), 0) for x in self.inputs if isinstance(x, Tensor))

    @property
    def freed(self) -> bool:
        """True once a backward pass without ``retain_graph`` has used and released it."""
        return self.inputs is None


class AccumulateGrad:
    """The node that adds a gradient into a leaf's ``.grad`` (``variable`` is the leaf)."""

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable: Tensor):
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def _node_of(x: Tensor):
    if x._ctx is not None:
        return x._ctx
    return AccumulateGrad(x) if x._requires_grad else None


class Function:
    """A differentiable op: static ``forward`` and ``backward`` on NumPy arrays.

    ``forward(ctx, *inputs)`` returns one array; ``backward(ctx, grad)`` returns one gradient
    per input (``None`` where no gradient is needed), each in the output's broadcast shape;
    the engine sums broadcast dimensions away.

    >>> import nnscratch as ns
    >>> class Cube(Function):
    ...     '''y = x ** 3;  dy/dx = 3 x ** 2'''
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x**3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x**2 * grad
    >>> x = ns.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad.item()
    12.0
    """

    @staticmethod
    def forward(ctx: Context, *inputs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs) -> Tensor:
        """Run ``forward`` on the inputs' arrays; record the op if any input needs a gradient.

        This is the one place that unwraps tensors and builds the graph. Options that are not
        tensors (a dim, a flag) are passed positionally too, and get ``None`` as their gradient.
        """
        arrays = []
        needs = []
        for x in inputs:
            if isinstance(x, Tensor):
                arrays.append(x._data)
                needs.append(x._requires_grad)
            else:
                arrays.append(x)
                needs.append(False)
        ctx = _new(Context)  # Context(cls, needs) without the cost of calling __init__
        ctx.function = cls
        ctx.needs_input_grad = needs = tuple(needs)
        out = cls.forward(ctx, *arrays)
        record = grad_mode._enabled and True in needs
        if record:
            ctx.inputs = inputs
            ctx.stamp = next(inplace.clock)  # orders the graph; dates the saved arrays
        return _make(out, record, ctx if record else None)


_make = Tensor._make
_new = object.__new__

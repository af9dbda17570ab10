"""``keras.Variable``: a weight or a piece of state, as Keras code reads and writes it.

A Keras variable holds a tensor and is updated in place: ``v.assign(x)``, ``v.assign_add(x)``,
``v.assign_sub(x)``; ``v.value`` is the tensor (on the torch backend, the one whose ``.grad``
a custom ``train_step`` reads); ``v.numpy()`` a NumPy copy. Here a variable *is* that tensor: a
``Variable`` is an ``nnscratch.nn.Parameter``, so the torch-style optimizers, ``state_dict``
and autograd see layer weights as they see any parameter, and ``v.value`` is ``v`` itself.

``Layer.add_weight`` and ``Metric.add_variable`` make them; ``keras.Variable(initializer,
shape=..., dtype=..., trainable=..., name=...)`` makes one directly.

>>> from nnscratch import keras
>>> v = keras.Variable("zeros", shape=(2,), trainable=False, name="count")
>>> _ = v.assign_add([1.0, 2.0])
>>> v.numpy().tolist(), v.value is v, v.name, v.trainable
([1.0, 2.0], True, 'count', False)
"""

from __future__ import annotations

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..nn.parameter import Parameter
from . import initializers

__all__ = ["Variable"]


class Variable(Parameter):
    """A Keras variable: an ``nnscratch.nn.Parameter`` with Keras's ``assign`` family,
    ``value``, ``numpy``, ``name``, ``path`` and ``trainable``."""

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None,
                 **kwargs) -> None:  # fmt: skip
        values = _initial_values(initializer, shape, dtype)
        super().__init__(Tensor(values), requires_grad=bool(trainable))
        self._keras_name = name if name is not None else "variable"
        self._keras_path = kwargs.pop("path", self._keras_name)
        self._trainable_variable = bool(trainable)
        self.aggregation = aggregation

    @classmethod
    def of(cls, values: np.ndarray, trainable: bool, name: str, requires_grad: bool) -> Variable:
        """A variable holding ``values`` (already initialised), as ``add_weight`` makes it:
        ``trainable`` as created, and needing gradients only while its layer is not frozen."""
        variable = cls(values, dtype=values.dtype, trainable=trainable, name=name)
        variable.requires_grad_(requires_grad)
        return variable

    # ---- Keras's view of it ---------------------------------------------------------------------
    @property
    def value(self) -> Variable:
        """The tensor itself: Keras code reads ``v.value.grad`` after ``loss.backward()``."""
        return self

    @property
    def name(self) -> str:
        return self._keras_name

    @property
    def path(self) -> str:
        return self._keras_path

    @property
    def trainable(self) -> bool:
        return self._trainable_variable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable_variable = bool(value)
        self.requires_grad_(bool(value))

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the values (Keras's ``Variable.numpy``), gradients or not."""
        return self._data.copy()

    # ---- in-place updates ------------------------------------------------------------------------
    def assign(self, value) -> Variable:
        """Overwrite the values with ``value`` (same shape), outside any gradient graph."""
        with no_grad():
            self.copy_(_as_tensor(value, self))
        return self

    def assign_add(self, value) -> Variable:
        with no_grad():
            self.add_(_as_tensor(value, self))
        return self

    def assign_sub(self, value) -> Variable:
        with no_grad():
            self.sub_(_as_tensor(value, self))
        return self

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={self._data!r}>"
        )


def _initial_values(initializer, shape, dtype) -> np.ndarray:
    """An array from a value (array, list, number, Tensor) or an initializer and a shape."""
    if isinstance(initializer, Tensor):
        return np.array(initializer.detach().numpy(), dtype=dtype or initializer.dtype)
    if isinstance(initializer, (np.ndarray, list, tuple, int, float, np.generic)):
        values = np.array(initializer, dtype=dtype or None)
        return values.astype(np.float32) if dtype is None and values.dtype == np.float64 else values
    if shape is None:
        raise ValueError(
            f"Variable: when creating a Variable from an initializer, the `shape` argument "
            f"should be specified. Received: initializer={initializer} and shape={shape}"
        )
    return initializers.get(initializer)(tuple(shape), np.dtype(dtype or "float32"))


def _as_tensor(value, like: Variable) -> Tensor:
    array = value.detach().numpy() if isinstance(value, Tensor) else np.asarray(value)
    if array.shape != like.shape and array.size != 1:
        raise ValueError(
            f"Variable '{like.path}': cannot assign a value of shape {array.shape} to a "
            f"variable of shape {like.shape}"
        )
    return Tensor(array.astype(like.dtype, copy=False))

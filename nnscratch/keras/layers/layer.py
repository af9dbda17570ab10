"""``Layer``: the base of every Keras layer and model, built on ``nnscratch.nn.Module``.

A layer's life is Keras's: configuration in ``__init__``, weights created lazily in
``build(input_shape)`` on the first call (or when a model knows its input shape), the maths in
``call``, shapes without data in ``compute_output_shape``, and ``get_config``. Weights are
``nnscratch.nn.Parameter`` objects registered on the Module, so autograd, ``state_dict`` and
the PyTorch-style optimizers all see them.

What ``call`` takes besides its inputs is declared, not discovered on every call: a class
that writes ``call`` sets ``call_takes_training`` and ``call_mask_arguments`` (the built-in
layers do); for one that declares neither (a user's layer), ``read_call_options`` reads the
signature once, when the class is created, as Keras reads every layer's.

Masks (which time steps are padding) travel beside the tensors inside models: each layer
gets its inputs' mask through ``_call_with_mask``, a thin door to ``__call__`` that passes it
to ``call(..., mask=...)`` and gives the outputs ``compute_mask(...)``. Called directly, a
layer reads and sets Keras's ``_keras_mask`` on the tensors themselves (``eager_masks``).
"""

from __future__ import annotations

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...nn.module import Module
from ...nn.parameter import Parameter
from .. import initializers as initializers_module
from .. import regularizers as regularizers_module
from ..utils import auto_name
from ..variables import Variable
from . import added_losses, eager_masks
from .build_marking import marking_built
from .call_context import CallContext
from .call_options import mask_kwargs, read_call_options
from .input_shape_argument import pop_input_shape
from .keras_tensor import KerasTensor, flatten, is_symbolic, map_structure
from .node_tensors import NodeTensors
from .weight_budget import charge

__all__ = ["Layer", "Shape", "format_shape"]

Shape = tuple  # a shape whose entries are ints or None (None: unknown, e.g. the batch size)


def format_shape(shape) -> str:
    """``(None, 10)`` as Keras prints it."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class Layer(Module):
    """Base class of Keras layers: subclass it and write ``build`` (weights) and ``call``.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> class Scale(keras.layers.Layer):
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
    ...     def call(self, x):
    ...         return x * self.w
    >>> layer = Scale()
    >>> layer(ns.ones(2, 3)).shape, [w.shape for w in layer.weights]
    ((2, 3), [(3,)])
    """

    _autocast = True  # numeric inputs of another dtype are cast to the layer's dtype
    # Whether the layer passes a mask on (``compute_mask``); as Keras, a layer that defines its
    # own ``compute_mask`` supports masking unless it says otherwise.
    supports_masking: bool = False
    # What ``call`` takes besides the inputs: ``training`` (True in fit, False in predict), and
    # the mask of the inputs as ``("mask",)``, or for a call on a list of tensors one
    # ``"<input>_mask"`` name per tensor (None for a tensor without one).
    call_takes_training: bool = False
    call_mask_arguments: tuple = ()
    _computes_own_mask = False  # (a class that overrides compute_mask: set by __init_subclass__)

    def __init_subclass__(cls, **kwargs) -> None:
        """Keras's defaults for a subclass: it supports masking when it writes ``compute_mask``;
        its call options are read from ``call`` when it writes one without declaring them; its
        ``build`` marks the layer built when it returns (``marking_built``), as Keras's does:
        users call ``layer.build(shape)`` directly and seldom end with ``super().build``."""
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = marking_built(cls.__dict__["build"])
        if "compute_mask" in cls.__dict__ and "supports_masking" not in cls.__dict__:
            cls.supports_masking = True
        cls._computes_own_mask = cls.compute_mask is not Layer.compute_mask
        if "call" in cls.__dict__:
            read_call_options(cls)

    def __init__(self, *, trainable: bool = True, name: str | None = None, dtype=None, **kwargs):
        super().__init__()
        self._batch_input_shape = pop_input_shape(type(self).__name__, kwargs)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        self.name = name if name is not None else auto_name(type(self).__name__)
        self._dtype = np.dtype(dtype or "float32")
        set_ = object.__setattr__
        set_(self, "_trainable", bool(trainable))
        set_(self, "_own_weights", [])  # (parameter, created trainable) in creation order
        set_(self, "_regularizers", [])  # (parameter, regularizer)
        set_(self, "_inbound_nodes", [])  # calls on symbolic tensors (the functional API)
        set_(self, "_added_losses", [])  # add_loss terms of the latest forward pass
        self.built = False
        self._build_shape: Shape | None = None

    # ---- configuration ------------------------------------------------------------------------
    @property
    def built(self) -> bool:
        """Whether the layer has been built: by its first call, a model's ``build``, or a
        direct ``layer.build(shape)`` (every ``build`` marks the layer when it returns)."""
        return self._built

    @built.setter
    def built(self, value: bool) -> None:
        object.__setattr__(self, "_built", bool(value))

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights, a string as Keras (``"float32"``)."""
        return self._dtype.name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        """Freeze (False) or unfreeze this layer and every layer inside it."""
        object.__setattr__(self, "_trainable", bool(value))
        for param, created_trainable in self._own_weights:
            param.requires_grad_(bool(value) and created_trainable)
        for layer in self._sublayers():
            layer.trainable = value

    def get_config(self) -> dict:
        """The arguments that recreate this layer (``type(layer)(**config)``)."""
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    # ---- weights ------------------------------------------------------------------------------
    def add_weight(self, shape=(), initializer=None, dtype=None, trainable=True, autocast=True,
                   regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name: str | None = None) -> Variable:  # fmt: skip
        """Create a weight (a ``keras.Variable``), register it as ``self.<name>`` and track it;
        returns it. Keras's default initializer: ``"glorot_uniform"`` for floats, else zeros."""
        if constraint is not None:
            raise NotImplementedError(f"{type(self).__name__}.add_weight: weight constraints")
        name = name or f"weight_{len(self._own_weights)}"
        dtype = np.dtype(dtype or self._dtype)
        default = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers_module.get(initializer if initializer is not None else default)
        charge(self, name, tuple(shape), dtype)
        param = Variable.of(init(tuple(shape), dtype), bool(trainable), name,
                           requires_grad=bool(trainable) and self.trainable)  # fmt: skip
        setattr(self, name, param)
        self._own_weights.append((param, bool(trainable)))
        if regularizer is not None:
            self._regularizers.append((param, regularizers_module.get(regularizer)))
        return param

    add_variable = add_weight  # Keras 3's other name

    def _sublayers(self) -> list[Layer]:
        return [m for m in self._modules.values() if isinstance(m, Layer)]

    @property
    def weights(self) -> list[Parameter]:
        """Every weight: this layer's (trainable-created first), then its sublayers', in order."""
        own = [p for p, t in self._own_weights if t] + [p for p, t in self._own_weights if not t]
        return own + [w for layer in self._sublayers() for w in layer.weights]

    @property
    def trainable_weights(self) -> list[Parameter]:
        """The weights ``fit`` updates: none when the layer is frozen."""
        if not self._trainable:
            return []
        weights = [p for p, trainable in self._own_weights if trainable]
        for layer in self._modules.values():  # (not _sublayers(): fit reads this every step)
            if isinstance(layer, Layer):
                weights += layer.trainable_weights
        return weights

    @property
    def non_trainable_weights(self) -> list[Parameter]:
        if not self.trainable:
            return self.weights
        own = [p for p, t in self._own_weights if not t]
        return own + [w for layer in self._sublayers() for w in layer.non_trainable_weights]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def losses(self) -> list[Tensor]:
        """The terms that this layer and its sublayers added in their latest call
        (``add_loss``), then the regularization penalties of the trainable weights, computed
        now (all differentiable)."""
        added = self._all_added_losses() if added_losses.HOLDERS else []
        regularizers = self._all_regularizers()
        if not regularizers:  # the usual case, read on every training step: skip the weights
            return added
        trainable = {id(p) for p in self.trainable_weights}
        return added + [reg(p) for p, reg in regularizers if id(p) in trainable]

    def add_loss(self, loss) -> None:
        """Add a loss term, computed in ``call`` from the inputs; ``fit`` adds it to the
        compiled loss, and the next outermost call clears it (``added_losses``)."""
        added_losses.add(self, loss if isinstance(loss, Tensor) else Tensor(np.asarray(loss)))

    def _all_added_losses(self) -> list[Tensor]:
        found = list(self._added_losses)
        for layer in self._sublayers():
            found += layer._all_added_losses()
        return found

    def _all_regularizers(self) -> list:
        found = list(self._regularizers)
        for layer in self._modules.values():  # (as trainable_weights: read every step)
            if isinstance(layer, Layer):
                found += layer._all_regularizers()
        return found

    def count_params(self) -> int:
        """The number of scalars in all weights; the layer must be built."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(batch_input_shape)`."
            )
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the weights as NumPy arrays, in ``weights`` order (Keras's order)."""
        return [w.detach().numpy().copy() for w in self.weights]

    def set_weights(self, weights) -> None:
        """Copy arrays into the weights in place, in ``weights`` order; shapes must match."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(own)} weights."
            )
        arrays = [w.detach().numpy() if isinstance(w, Tensor) else np.asarray(w) for w in weights]
        for param, value in zip(own, arrays):
            if param.shape != value.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {param.shape} is not compatible with "
                    f"provided weight shape {value.shape}."
                )
        with no_grad():
            for param, value in zip(own, arrays):
                param.copy_(value.astype(param.dtype, copy=False))

    # ---- build and call -----------------------------------------------------------------------
    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of ``input_shape``, then mark the layer built.

        Layers with weights override it and end with ``super().build(input_shape)`` (the
        built-in layers do), so that a direct ``layer.build(shape)`` marks them built; the
        call path marks a layer itself (``_maybe_build``), whatever its ``build`` does."""
        self._mark_built(input_shape)

    def _mark_built(self, input_shape) -> None:
        """Record that the layer is built, and for which shape(s) (saved as its build_config)."""
        object.__setattr__(self, "_built", True)
        if input_shape is not None:  # (a dict of shapes, for a layer called on a dict, stays one)
            self._build_shape = input_shape if isinstance(input_shape, dict) else tuple(input_shape)

    def _maybe_build(self, input_shape) -> None:
        """Build once, for the shape(s) of the first inputs, and mark the layer built: the one
        place the call path builds, for real and symbolic (functional API) inputs alike."""
        if self._built:
            return
        shape = input_shape if isinstance(input_shape, dict) else tuple(input_shape)
        self.build(shape)
        if not self._built:  # (a ``build`` assigned to an instance is not wrapped)
            self._mark_built(shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The output shape for ``input_shape`` without computing anything (identity here; a
        user's layer that keeps this one is traced on symbolic inputs: ``output_spec``)."""
        return tuple(input_shape)

    input = NodeTensors("input")  # the tensors of the first symbolic call (node_tensors.py)
    output = NodeTensors("output")

    def call(self, inputs, *args, **kwargs):
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `call()` method implemented."
        )

    # ---- masks --------------------------------------------------------------------------------
    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs, given the inputs and their mask: the mask itself here (a
        layer that keeps the time axis passes it on); only used when ``supports_masking``."""
        return mask

    def _call_with_mask(self, inputs, mask=None, **kwargs) -> tuple:
        """``(outputs, their mask)``: Keras's masked call, the one a model makes for each of its
        layers, with the mask carried beside the tensor rather than as its ``_keras_mask``.

        A thin door to ``__call__``, so masked and plain calls run the same code: the mask goes
        in as the ``call_mask_arguments`` the layer declares, and the outputs get
        ``compute_mask(inputs, mask)`` when the layer supports masking (otherwise no mask, with
        Keras's warning that it is dropped). Models override it to pass masks between their
        layers."""
        if mask is not None and any(m is not None for m in flatten(mask)):
            kwargs = mask_kwargs(self.call_mask_arguments, inputs, mask, kwargs)
        else:
            mask = None  # (the usual step: no mask at all)
        outputs = self(inputs, **kwargs)
        if self.supports_masking and (mask is not None or self._computes_own_mask):
            return outputs, self.compute_mask(inputs, mask)
        if mask is not None and not eager_masks.carries_mask(inputs):  # (else __call__ warned)
            eager_masks.warn_mask_dropped(self, stacklevel=3)
        return outputs, None

    def __call__(self, inputs, *args, training: bool | None = None, **kwargs):
        """Run ``call`` on a tensor, or on a list/dict of them (merge layers, models), building
        the layer first if it is not built; ``training`` goes to ``call`` when it takes it. On
        ``KerasTensor`` inputs, compute nothing: build, record the call, return KerasTensors."""
        if isinstance(inputs, Tensor):  # the usual call (once per batch in fit): kept short
            dtype, x, masked = inputs.dtype, inputs, inputs.__class__ is eager_masks.MaskedTensor
            if dtype != self._dtype and self._autocasts(dtype):
                x = inputs.to(self._dtype)
            if not self._built:
                self._maybe_build(x.shape)
        elif _is_structure(inputs):
            if is_symbolic(inputs):
                if training is not None:
                    kwargs["training"] = training
                return eager_masks.symbolic_call_with_masks(self, inputs, args, kwargs)
            x, masked = map_structure(self._convert_input, inputs), eager_masks.carries_mask(inputs)
            if not self._built:
                self._maybe_build(map_structure(lambda t: t.shape, x))
        else:
            x, masked = self._convert_input(inputs), False
            if not self._built:
                self._maybe_build(x.shape)
        if masked or args:  # masks carried by the tensors go to ``call`` (Keras's eager masks)
            kwargs, masked = eager_masks.fill_mask_arguments(self, inputs, args, kwargs, masked)
        context = CallContext  # (a call without ``training`` inherits the running call's)
        training = context.training if training is None else training
        if self.call_takes_training:
            kwargs["training"] = bool(training)
        if context.depth == 0 and added_losses.HOLDERS:
            added_losses.clear()  # an outermost call: the last pass's add_loss terms go
        outer, context.training = context.training, training
        context.depth += 1
        try:
            outputs = self.call(x, *args, **kwargs)
        finally:
            context.depth -= 1
            context.training = outer
        if masked or (self._computes_own_mask and self.supports_masking):
            outputs = eager_masks.attach_masks(self, inputs, outputs, kwargs)
        return outputs

    forward = __call__  # Module's name for it

    def _convert_input(self, inputs) -> Tensor:
        """Array-likes become Tensors; numeric inputs take the layer's dtype (Keras autocast)."""
        x = inputs if isinstance(inputs, Tensor) else Tensor(np.asarray(inputs))
        return x.to(self._dtype) if self._autocasts(x.dtype) else x

    def _autocasts(self, dtype: np.dtype) -> bool:
        """Whether inputs of ``dtype`` are cast to the layer's dtype: numbers of another dtype,
        unless the layer keeps its inputs' dtype (``_autocast = False``)."""
        return self._autocast and dtype != self._dtype and dtype.kind in "biuf"

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _is_structure(inputs) -> bool:
    """A KerasTensor, or a list/tuple/dict of tensors, rather than one array-like of numbers."""
    if isinstance(inputs, (Tensor, np.ndarray)):
        return False
    if isinstance(inputs, (KerasTensor, dict)):
        return True
    return isinstance(inputs, (list, tuple)) and any(
        isinstance(leaf, (Tensor, np.ndarray, KerasTensor)) for leaf in flatten(inputs)
    )

"""``Lambda``: any function of tensors as a layer, and how it is saved without code.

Keras saves a lambda's Python bytecode and runs it again on load (when told it may). A file
nnscratch reads never runs code: ``get_config`` stores the function's *name* only (Keras's
``{"class_name": "function", "config": name}`` form), and ``from_config`` turns a name back
into a function only through what the loading program supplies: ``custom_objects`` (or a
``custom_object_scope``), a registered function (``register_keras_serializable``), or one of
Keras's built-in activations. Otherwise, and always for Keras's bytecode form, it refuses.
"""

from __future__ import annotations

import inspect

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...errors import ConfigError
from .keras_tensor import flatten_shapes
from .layer import Layer, Shape
from .output_spec import filled_sizes, shapes_of_two_runs

__all__ = ["Lambda"]

_FUNCTION_PARTS = ("function", "output_shape", "mask")  # the config entries that may be code
_FILLS = ((2, 2), (3, 3))  # the unknown sizes (batch axis, others) of the two runs


class Lambda(Layer):
    """Wrap ``function(inputs, **arguments)`` as a layer (no weights of its own).

    ``output_shape`` (a shape without the batch axis, or a function of the input shape)
    saves the layer from working its output shape out by calling ``function`` on zeros;
    ``mask`` (a mask, or a function ``(inputs, mask) -> mask``) is the mask of its outputs.
    ``function`` receives ``mask=`` and ``training=`` when it takes arguments by those names.

    >>> import nnscratch as ns
    >>> from nnscratch import keras
    >>> def double(x):
    ...     return 2 * x
    >>> keras.layers.Lambda(double)(ns.ones(1, 2)).tolist()
    [[2.0, 2.0]]
    """

    call_takes_training = True  # passed on only to a function that takes ``training``
    call_mask_arguments = ("mask",)

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"Lambda '{self.name}': `function` must be callable, received "
                f"{type(function).__name__}"
            )
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = output_shape
        try:
            names = inspect.signature(function).parameters
        except (TypeError, ValueError):  # (a builtin without a signature)
            names = {}
        self._takes_mask, self._takes_training = "mask" in names, "training" in names
        self.built = True

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._takes_mask:
            kwargs["mask"] = mask
        if self._takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        if self._output_shape is not None:
            batch = input_shape[0] if _is_shape(input_shape) else flatten_shapes(input_shape)[0][0]
            return (batch, *self._output_shape)
        return self._traced_shape(input_shape)

    def _traced_shape(self, input_shape):
        """The output shape found by calling the function on zeros twice, unknown sizes set to
        2 then 3 (not 1: a ``squeeze`` would drop the axis): output sizes that change with
        them are unknown (None) (``output_spec.shapes_of_two_runs``)."""
        try:
            _, (shape,) = shapes_of_two_runs(
                lambda fills: self._outputs_with(input_shape, fills), _FILLS, same_rank=True
            )
        except Exception as error:
            raise NotImplementedError(
                f"Lambda '{self.name}' could not work out its output shape by calling its "
                f"function on zeros ({type(error).__name__}: {error}); pass `output_shape`"
            ) from error
        return shape

    def _outputs_with(self, input_shape, fills: tuple):
        """The function's output on zeros of ``input_shape``, its unknown sizes filled."""

        def zeros(shape):
            return Tensor(np.zeros(filled_sizes(shape, fills), self._dtype))

        if _is_shape(input_shape):
            inputs = zeros(input_shape)
        elif isinstance(input_shape, dict):
            inputs = {key: zeros(shape) for key, shape in input_shape.items()}
        else:
            inputs = [zeros(shape) for shape in input_shape]
        with no_grad():
            outputs = self.call(inputs)
        if not hasattr(outputs, "shape"):  # (one tensor: a list of them needs `output_shape`)
            raise TypeError(f"the function returned a {type(outputs).__name__}, expected a tensor")
        return outputs

    def get_config(self) -> dict:
        config = {**super().get_config(), "function": _function_name(self.function)}
        if self._output_shape is not None:
            shape = self._output_shape
            config["output_shape"] = _function_name(shape) if callable(shape) else shape
        if self.mask is not None:
            config["mask"] = _function_name(self.mask) if callable(self.mask) else self.mask
        return {**config, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict) -> Lambda:
        """The layer, its function(s) found by name in what the loading program supplies;
        ConfigError (naming the layer) for a function it does not supply."""
        config = dict(config)
        name = config.get("name", "lambda")
        for key in _FUNCTION_PARTS:
            if key in config:
                config[key] = _resolve(config[key], key, name)
        if isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)


def _is_shape(value) -> bool:
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value
    )


def _function_name(fn) -> dict:
    """Keras's by-name form of a function: a built-in activation (module
    ``keras.activations``), a registered function by its registered name, else its
    ``__name__`` (``<lambda>`` for a lambda), which ``Lambda.from_config`` looks up; never
    the code."""
    from ..saving import registry  # (here: saving imports the layers)

    module = registry.builtin_module(fn)
    name = getattr(fn, "__name__", type(fn).__name__)
    registered = registry.get_registered_name(fn)
    registered = registered if ">" in registered and module is None else None
    return {
        "module": module,
        "class_name": "function",
        "config": name,
        "registered_name": registered,
    }


def _resolve(value, key: str, layer: str):
    """A config entry: functions stay functions (already resolved by the loader), plain data
    stays data, a by-name function is looked up, code is refused."""
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    if value["class_name"] == "__lambda__":
        _refuse(layer, key, "<lambda>", "is Python bytecode written by Keras")
    if value["class_name"] != "function" or not isinstance(value.get("config"), str):
        return value
    from ..saving import registry  # (here: saving imports the layers)

    name = value["config"]
    for candidate in (value.get("registered_name"), name):
        found = registry.get_registered_object(candidate) if isinstance(candidate, str) else None
        if callable(found):
            return found
    try:
        return registry.lookup("function", value.get("module"), None, name, kind="function")
    except ConfigError:
        _refuse(layer, key, name, "is saved by name only")


def _refuse(layer: str, key: str, name: str, why: str):
    raise ConfigError(
        f"Lambda '{layer}': its `{key}` {name!r} {why}, and nnscratch never runs code from a "
        f"file. Pass the function when loading: custom_objects={{{name!r}: your_function}} "
        "(or register it with @keras.saving.register_keras_serializable())"
    )

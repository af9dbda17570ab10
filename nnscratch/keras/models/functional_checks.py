"""The checks ``keras.Model(inputs, outputs)`` makes before it maps its graph: the inputs come
from ``keras.Input``, the outputs are symbolic tensors, and the layers' names are unique."""

from __future__ import annotations

from ..layers.input_layer import InputLayer
from ..layers.keras_tensor import KerasTensor

__all__ = ["check_inputs", "check_outputs", "check_unique_names"]


def check_inputs(inputs: list) -> list[KerasTensor]:
    for x in inputs:
        layer = x._keras_history[0] if isinstance(x, KerasTensor) else None
        if not isinstance(layer, InputLayer):
            made = f"the output of layer '{layer.name}'" if layer else f"a {type(x).__name__}"
            raise ValueError(
                "Model inputs must come from keras.Input (e.g. `inputs = keras.Input(shape="
                f"(2,))`), received {made}: {x!r}"
            )
    return inputs


def check_outputs(outputs: list) -> list[KerasTensor]:
    for x in outputs:
        if not isinstance(x, KerasTensor):
            raise ValueError(
                "Model outputs must be tensors made by calling layers on keras.Input tensors, "
                f"received a {type(x).__name__}: {x!r}"
            )
    return outputs


def check_unique_names(model, layers: list) -> None:
    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(
                f"The name '{name}' is used {names.count(name)} times in model '{model.name}': "
                "layer names in a model must be unique (pass name=... to the layers)"
            )

"""Masks that ride on tensors, as Keras's ``_keras_mask``, for layers called outside a model.

Inside a model, masks travel beside the tensors (``Layer._call_with_mask``). A user who calls
a layer directly sees Keras's other way: ``y = Embedding(..., mask_zero=True)(ids)`` gives a
``y`` whose ``y._keras_mask`` is the mask, and the next layer called on ``y`` receives that
mask as its ``mask`` argument and puts its own output mask on its outputs.

Our ``Tensor`` has fixed slots and no room for a mask, so a masked output is a
``MaskedTensor``: a ``Tensor`` with one more slot, made by a fresh identity node in the graph
(``view_as``), so it never shares a graph node with another live tensor. Ops on it return
plain tensors, as ops on a masked tensor do in Keras.

On symbolic tensors (the functional API) the masks are ``KerasTensor``s of dtype bool set as
their ``_keras_mask``, as Keras sets them; there they are for reading only (a model computes
the masks again on real tensors).

>>> import numpy as np
>>> from nnscratch import keras
>>> y = keras.layers.Embedding(10, 2, mask_zero=True)(np.array([[3, 0]]))
>>> y._keras_mask.tolist(), keras.layers.Dense(1)(y)._keras_mask.tolist()
([[True, False]], [[True, False]])
"""

from __future__ import annotations

import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from .keras_tensor import KerasTensor, flatten, map_structure, pack_like, symbolic_call
from .output_spec import filled_sizes, shapes_of_two_runs

__all__ = [
    "MaskedTensor",
    "attach_masks",
    "carries_mask",
    "fill_mask_arguments",
    "mask_of",
    "symbolic_call_with_masks",
    "warn_mask_dropped",
]

_FILLS = ((2, 2), (4, 4))  # the unknown sizes (batch axis, others) of the two traced runs


class MaskedTensor(Tensor):
    """A layer's output with its mask in ``_keras_mask`` (a boolean ``Tensor``)."""

    __slots__ = ("_keras_mask",)

    @staticmethod
    def of(tensor: Tensor, mask) -> MaskedTensor:
        """``tensor`` behind a new identity node, carrying ``mask``: gradients reach
        ``tensor`` through that node, and ``tensor`` itself is left as it was."""
        alias = tensor.view_as(tensor)
        out = object.__new__(MaskedTensor)
        for slot in Tensor.__slots__:  # (the alias is dropped: its state moves here)
            object.__setattr__(out, slot, getattr(alias, slot))
        out._keras_mask = mask
        return out


def mask_of(tensor):
    """The mask a tensor carries (``_keras_mask``), else None."""
    if tensor.__class__ is MaskedTensor:
        return tensor._keras_mask
    return getattr(tensor, "_keras_mask", None) if isinstance(tensor, KerasTensor) else None


def carries_mask(structure) -> bool:
    """Whether a tensor, or any tensor in a list/tuple/dict, carries a mask."""
    return any(mask_of(leaf) is not None for leaf in flatten(structure))


def fill_mask_arguments(layer, inputs, args: tuple, kwargs: dict, masked: bool) -> tuple:
    """``(kwargs plus the masks the tensors carry, whether any does)``: the masks go in as
    the ``call`` arguments that ``layer.call_mask_arguments`` names, unless given explicitly.
    ``masked`` says whether the first input carries one (other tensors are looked at here).

    ``("mask",)`` gets the mask(s) of the first input (a list for a list of tensors); a call
    taking several tensors (``query``, ``value``...) gets each one's as ``<name>_mask``,
    the tensors given by position or by name."""
    masked = masked or carries_mask([args, kwargs])
    names = layer.call_mask_arguments
    if not masked or not names:
        return kwargs, masked
    if names == ("mask",):
        if kwargs.get("mask") is None:
            kwargs = {**kwargs, "mask": map_structure(mask_of, inputs)}
        return kwargs, masked
    kwargs = dict(kwargs)
    for name, tensor in zip(names, (inputs, *args)):
        _fill(kwargs, name, tensor)
    for name in names:
        if name and name[: -len("_mask")] in kwargs:
            _fill(kwargs, name, kwargs[name[: -len("_mask")]])
    return kwargs, masked


def _fill(kwargs: dict, name, tensor) -> None:
    mask = mask_of(tensor) if name else None
    if mask is not None and kwargs.get(name) is None:
        kwargs[name] = mask


def warn_mask_dropped(layer, stacklevel: int = 4) -> None:
    """Keras's warning that a layer without masking support drops its inputs' mask
    (``stacklevel`` 4: the code calling the layer, seen from ``attach_masks``)."""
    warnings.warn(
        f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a "
        "mask attached to it. However, this layer does not support masking and will "
        "therefore destroy the mask information. Downstream layers will not see the mask.",
        UserWarning,
        stacklevel=stacklevel,
    )


def previous_mask(inputs, kwargs: dict):
    """The mask the layer's outputs derive from: the ``mask`` argument when given, else the
    mask(s) the first input carries (Keras reads only the first positional input)."""
    mask = kwargs.get("mask")
    return mask if mask is not None else map_structure(mask_of, inputs)


def attach_masks(layer, inputs, outputs, kwargs: dict):
    """``outputs`` with ``layer.compute_mask(inputs, previous mask)`` on them, after an eager
    call. A layer without masking support drops a mask, with Keras's warning; an output
    that already carries a mask keeps it."""
    previous = previous_mask(inputs, kwargs)
    if not layer.supports_masking:
        if any(m is not None for m in flatten(previous)):
            warn_mask_dropped(layer)
        return outputs
    leaves = flatten(outputs)
    if all(mask_of(leaf) is not None for leaf in leaves):
        return outputs
    masks = layer.compute_mask(inputs, previous)
    if masks is None:
        return outputs
    masks = flatten(masks)
    masked = [
        MaskedTensor.of(leaf, mask)
        if isinstance(leaf, Tensor) and mask is not None and mask_of(leaf) is None
        else leaf
        for leaf, mask in zip(leaves, masks + [None] * (len(leaves) - len(masks)))
    ]
    return masked[0] if isinstance(outputs, Tensor) else pack_like(outputs, masked)


# ---- symbolic tensors -------------------------------------------------------------------------
def symbolic_call_with_masks(layer, inputs, args: tuple, kwargs: dict):
    """``symbolic_call`` (the functional API), with masks as Keras has them there: ``call``
    receives the symbolic masks the inputs carry while it is traced for its output shape
    (``output_spec``), and the outputs carry theirs as ``_keras_mask``.

    The recorded node keeps the arguments as given: when the model runs, each layer gets its
    mask from the one before it on real tensors (``Layer._call_with_mask``)."""
    filled, _ = fill_mask_arguments(layer, inputs, args, kwargs, carries_mask(inputs))
    outputs = symbolic_call(layer, inputs, args, filled)
    if filled is not kwargs:
        layer._inbound_nodes[-1].kwargs = kwargs
    return attach_symbolic_masks(layer, inputs, outputs, filled)


def attach_symbolic_masks(layer, inputs, outputs, kwargs: dict):
    """``outputs`` (KerasTensors) with the symbolic masks Keras gives them as
    ``_keras_mask``: a layer that passes its input's mask on gives the same KerasTensor; one
    that computes its own (``Embedding(mask_zero=True)``, ``Masking``) a new bool one."""
    previous = previous_mask(inputs, kwargs)
    if not layer.supports_masking:
        return outputs
    masks = _traced_masks(layer, inputs, previous) if layer._computes_own_mask else previous
    for leaf, mask in zip(flatten(outputs), flatten(masks)):
        if isinstance(leaf, KerasTensor) and mask is not None:
            leaf._keras_mask = mask
    return outputs


def _traced_masks(layer, inputs, previous) -> list:
    """The symbolic masks ``compute_mask`` gives, found by running it on zeros (with unknown
    sizes set to 2, then 4: the sizes that follow them are unknown in the result;
    ``output_spec.shapes_of_two_runs``). A mask the layer hands back unchanged stays the
    same KerasTensor. A ``compute_mask`` that cannot run on such stand-ins leaves the
    outputs without a symbolic mask: it is for reading only, and the model computes the
    masks on real tensors."""
    try:
        with no_grad(), np.errstate(all="ignore"):
            small, shapes = shapes_of_two_runs(
                lambda fills: _masks_with(layer, inputs, previous, fills), _FILLS
            )
    except Exception:  # noqa: BLE001 (any failure of user code: no symbolic mask)
        return []
    return [
        mask if shape is None else KerasTensor(shape, "bool") for mask, shape in zip(small, shapes)
    ]


def _masks_with(layer, inputs, previous, fills: tuple) -> list:
    """``compute_mask`` on stand-ins, its leaves flattened; a mask handed back unchanged
    comes back as the symbolic mask it stands for."""

    def stand_in(tensor, fill, dtype):
        return Tensor(np.full(filled_sizes(tensor.shape, fills), fill, dtype=dtype))

    concrete = map_structure(lambda t: stand_in(t, 0, t.dtype), inputs)
    masks_in = map_structure(lambda m: None if m is None else stand_in(m, True, "bool"), previous)
    symbolic = {id(m): s for m, s in zip(flatten(masks_in), flatten(previous)) if m is not None}
    masks = layer.compute_mask(concrete, masks_in)  # (masks_in stays alive: ids stay unique)
    return [symbolic.get(id(m), m) for m in flatten(masks)]

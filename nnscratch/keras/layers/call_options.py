"""What a Keras layer's ``call`` takes besides its inputs: ``training``, and the inputs' mask.

Each class that writes ``call`` declares it in two class attributes, ``call_takes_training``
and ``call_mask_arguments`` (the built-in layers do). For a class that declares neither (a
user's layer, a model), ``read_call_options`` reads its ``call``'s signature once, when the
class is created, as Keras reads every layer's; instances and calls read plain attributes.
"""

from __future__ import annotations

import inspect

__all__ = ["mask_kwargs", "mask_parameters", "read_call_options"]


def read_call_options(cls: type) -> None:
    """Set ``cls.call_takes_training`` and ``cls.call_mask_arguments`` from the signature of
    the ``call`` that ``cls`` writes, unless ``cls`` declares one of them itself.

    The one place that inspects a ``call``: ``Layer.__init_subclass__`` runs it once per
    class, when the class is created. Built-in layers declare their options, so only users'
    layers (and models) get here, as Keras reads every layer's signature; instances and calls
    then read plain class attributes. A class declaring only one option inherits the other.

    >>> from nnscratch.keras.layers import Layer
    >>> class Noisy(Layer):
    ...     def call(self, x, training=None, mask=None):
    ...         return x
    >>> Noisy.call_takes_training, Noisy.call_mask_arguments
    (True, ('mask',))
    """
    if "call_takes_training" in cls.__dict__ or "call_mask_arguments" in cls.__dict__:
        return
    parameters = list(inspect.signature(cls.__dict__["call"]).parameters)[1:]  # not self
    cls.call_takes_training = "training" in parameters
    cls.call_mask_arguments = mask_parameters(parameters)


def mask_parameters(parameters: list) -> tuple:
    """The mask arguments among a ``call``'s parameter names: ``("mask",)``, or for a call
    taking several tensors (``call(query, value, key=None, query_mask=None, ...)``) the name
    of each one's mask, in the order of the tensors (None where a tensor has none)."""
    if "mask" in parameters:
        return ("mask",)
    names = [name for name in parameters if f"{name}_mask" in parameters]
    if not names:
        return ()
    leading = parameters[: parameters.index(names[-1]) + 1]
    return tuple(f"{name}_mask" if f"{name}_mask" in parameters else None for name in leading)


def mask_kwargs(names: tuple, inputs, mask, kwargs: dict) -> dict:
    """``kwargs`` plus the inputs' mask as the ``call`` arguments ``names``
    (``call_mask_arguments``): all of it as ``mask``, or each input's as its own argument,
    unless given explicitly.

    >>> mask_kwargs(("mask",), "x", "m", {"training": True})
    {'training': True, 'mask': 'm'}
    >>> mask_kwargs(("query_mask", "value_mask"), ["q", "v"], ["mq", None], {})
    {'query_mask': 'mq'}
    """
    if names == ("mask",):
        return {**kwargs, "mask": mask}
    if isinstance(inputs, (list, tuple)) and isinstance(mask, (list, tuple)):
        kwargs = dict(kwargs)
        for name, item_mask in zip(names, mask):
            if name and kwargs.get(name) is None and item_mask is not None:
                kwargs[name] = item_mask
    return kwargs

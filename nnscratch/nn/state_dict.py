"""Saving and loading a module's state by dotted name: ``state_dict`` and ``load_state_dict``.

``Module`` inherits these two methods (module.py is about the tree: registering, walking,
modes). The names come from that tree: ``layers.0.weight`` is the ``weight`` parameter of the
child registered as ``0`` of the child registered as ``layers``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor

__all__ = ["StateDictMixin"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` could not match; torch's repr when everything matched."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class StateDictMixin:
    """The state half of ``Module``: what is saved (parameters and persistent buffers) and
    how it is loaded back in place."""

    def state_dict(self, *, destination=None, prefix: str = "", keep_vars: bool = False):
        """Parameters and persistent buffers by dotted name, detached (shared storage).

        >>> import nnscratch as ns
        >>> list(ns.nn.Sequential(ns.nn.Linear(2, 2), ns.nn.ReLU()).state_dict())
        ['0.weight', '0.bias']
        """
        destination = OrderedDict() if destination is None else destination
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():  # no memo: a shared module has two names
            if module is not None:
                module.state_dict(
                    destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars
                )
        return destination

    def load_state_dict(self, state_dict, strict: bool = True) -> _IncompatibleKeys:
        """Copy values into the parameters and buffers in place, by name.

        Values may be nnscratch Tensors or NumPy arrays. A wrong shape is always an error;
        missing and unexpected keys are errors when ``strict``, and are returned either way.
        """
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        values = {key: _as_array(key, state_dict[key]) for key in own if key in state_dict}
        errors = _key_errors(missing, unexpected) if strict else []
        errors += [_shape_error(k, own[k], v) for k, v in values.items() if own[k].shape != v.shape]
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        with no_grad():
            for key, value in values.items():
                own[key].copy_(value)
        return _IncompatibleKeys(missing, unexpected)


def _key_errors(missing: list, unexpected: list) -> list[str]:
    """torch's wording and order for keys that did not match, one line each."""
    errors = []
    for kind, keys in (("Missing", missing), ("Unexpected", unexpected)):
        if keys:
            errors.append(
                f"{kind} key(s) in state_dict: " + ", ".join(f'"{k}"' for k in keys) + ". "
            )
    return errors


def _as_array(key: str, value) -> np.ndarray:
    """A checkpoint value as an array: Tensors, NumPy arrays, and array-likes such as torch's."""
    if isinstance(value, Tensor):
        return value.detach().numpy()
    if isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        return np.asarray(value)
    raise TypeError(
        f'While copying the parameter named "{key}", expected a Tensor or a NumPy array from '
        f"checkpoint but received {type(value).__name__}"
    )


def _shape_error(key: str, target: Tensor, value: np.ndarray) -> str:
    return (
        f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, "
        f"the shape in current model is {target.shape}."
    )

"""``CategoryEncoding`` and ``Discretization``: integers to one-hot / multi-hot / count
vectors, and numbers to the integer of their bin.

Neither has a gradient to give (their inputs are ids or bin positions), except through
``count_weights``. ``Discretization.adapt`` finds ``num_bins`` bins holding about as many
values each, with the approximate-quantile sketch of ``quantiles.py``, as Keras.
"""

from __future__ import annotations

import numpy as np

from ...autograd.tensor import Tensor
from .layer import Layer, Shape
from .quantiles import bin_boundaries, merge, summarize

__all__ = ["CategoryEncoding", "Discretization"]

_MODES = ("one_hot", "multi_hot", "count")


def _encode(ids: np.ndarray, mode: str, depth: int, dtype, weights=None):
    """Keras's encoding of integer ``ids``: ``"one_hot"`` adds an axis of ``depth`` (a last
    axis of size 1 is replaced); ``"multi_hot"`` / ``"count"`` reduce axis 1 (axis 0 of 1-D
    inputs) to which ids occur / how often (weighted by ``weights``)."""
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if mode == "one_hot" and ids.ndim > 1 and ids.shape[-1] == 1:
        ids = ids.reshape(ids.shape[:-1])
    hot = (ids[..., None] == np.arange(depth)).astype(dtype)
    if mode == "one_hot":
        return Tensor(hot)
    axis = 1 if ids.ndim > 1 else 0
    if mode == "multi_hot":
        return Tensor(hot.max(axis=axis))
    if weights is None:
        return Tensor(hot.sum(axis=axis))
    return (Tensor(hot.astype(weights.dtype)) * weights.unsqueeze(-1)).sum(dim=axis)


class CategoryEncoding(Layer):
    """Integer ids in ``[0, num_tokens)`` to vectors of ``num_tokens``: ``"multi_hot"`` (the
    default: 1 where an id of the sample occurs), ``"one_hot"`` (one vector per id) or
    ``"count"`` (how many times each id occurs, or the sum of ``count_weights``).

    >>> import numpy as np
    >>> from nnscratch import keras
    >>> keras.layers.CategoryEncoding(4, output_mode="count")(np.array([[0, 1, 1]])).tolist()
    [[1.0, 2.0, 0.0, 0.0]]
    """

    _autocast = False  # ids stay integers
    call_takes_training = False  # call(inputs, count_weights=None): no training flag, no mask
    call_mask_arguments = ()

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs) -> None:
        super().__init__(**kwargs)
        owner = f"CategoryEncoding '{self.name}'"
        output_mode = "multi_hot" if output_mode == "binary" else output_mode
        if output_mode not in _MODES:
            raise ValueError(
                f"{owner}: `output_mode` must be one of {_MODES}, received "
                f"output_mode={output_mode!r}"
            )
        if (
            isinstance(num_tokens, bool)
            or not isinstance(num_tokens, (int, np.integer))
            or (num_tokens < 1)
        ):
            raise ValueError(
                f"{owner}: `num_tokens` must be an int >= 1, received num_tokens={num_tokens!r}"
            )
        if sparse:
            raise ValueError(
                f"{owner}: sparse=True is not supported (nnscratch has no sparse tensors)"
            )
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False
        self.built = True

    def call(self, inputs: Tensor, count_weights=None) -> Tensor:
        ids = inputs.detach().numpy()
        if ids.size and (ids.min() < 0 or ids.max() >= self.num_tokens):
            raise ValueError(
                f"CategoryEncoding '{self.name}' expects ids in [0, {self.num_tokens}), "
                f"received values from {ids.min()} to {ids.max()}"
            )
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(
                f"CategoryEncoding '{self.name}': `count_weights` is only used with "
                f"output_mode='count', not {self.output_mode!r}"
            )
        if count_weights is not None and not isinstance(count_weights, Tensor):
            count_weights = Tensor(np.asarray(count_weights, dtype=self._dtype))
        return _encode(
            ids.astype(np.int64), self.output_mode, self.num_tokens, self._dtype, count_weights
        )

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (shape[-1] != 1 or len(shape) == 1):
            return (*shape, self.num_tokens)
        return (*shape[:-1], self.num_tokens)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }


class Discretization(Layer):
    """Each number to the index of its bin: ``bin_boundaries`` ``[b0, b1, ...]`` make the bins
    ``x < b0``, ``b0 <= x < b1``, ..., ``x >= b_last``; or ``num_bins`` bins found by
    ``adapt(data)`` from quantiles, within ``epsilon``. ``output_mode`` "int" gives the
    indices (int32); "one_hot", "multi_hot", "count" encode them as ``CategoryEncoding``.

    >>> import numpy as np
    >>> from nnscratch import keras
    >>> layer = keras.layers.Discretization(bin_boundaries=[0.0, 1.0])
    >>> layer(np.array([[-0.5, 0.0, 0.5, 2.0]])).tolist()
    [[0, 1, 1, 2]]
    """

    _autocast = False
    call_takes_training = False  # call(inputs): no training flag, no mask
    call_mask_arguments = ()

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        dtype=None,
        name=None,
        **kwargs,
    ) -> None:
        super().__init__(dtype=dtype, name=name, **kwargs)
        owner = f"Discretization '{self.name}'"
        if output_mode not in ("int", *_MODES):
            raise ValueError(
                f"{owner}: `output_mode` must be 'int' or one of {_MODES}, "
                f"received output_mode={output_mode!r}"
            )
        if sparse:
            raise ValueError(f"{owner}: sparse=True is not supported (no sparse tensors)")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"{owner}: `num_bins` must be >= 0, received num_bins={num_bins}")
        if (num_bins is None) == (bin_boundaries is None):
            raise ValueError(
                f"{owner}: set exactly one of `num_bins` and `bin_boundaries`, "
                f"received num_bins={num_bins}, bin_boundaries={bin_boundaries}"
            )
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = output_mode, False
        self._summary = np.zeros((2, 0), np.float32)
        self.built = True

    def adapt(self, data, steps=None) -> None:
        """Find ``num_bins`` bins from ``data``: one array, or an iterable of batches (the
        first ``steps`` of them when given)."""
        if self.num_bins is None:
            raise ValueError(
                f"Discretization '{self.name}' was given `bin_boundaries`; adapt() needs a "
                "layer made with `num_bins` instead"
            )
        if isinstance(data, (np.ndarray, Tensor)) or not hasattr(data, "__iter__"):
            data = [data]
        summary = np.zeros((2, 0), np.float32)
        for i, batch in enumerate(data):
            if steps is not None and i >= steps:
                break
            batch = batch.detach().numpy() if isinstance(batch, Tensor) else batch
            summary = merge(
                summarize(np.asarray(batch, np.float32), self.epsilon), summary, self.epsilon
            )
        self._summary = summary
        self.bin_boundaries = bin_boundaries(summary, self.num_bins).tolist()

    def call(self, inputs: Tensor) -> Tensor:
        if self.bin_boundaries is None:
            raise ValueError(
                f"Discretization '{self.name}' has no bins yet: pass `bin_boundaries`, or call "
                "adapt(data) before using the layer"
            )
        x = inputs.detach().numpy() if isinstance(inputs, Tensor) else np.asarray(inputs)
        indices = np.digitize(
            x, np.asarray(self.bin_boundaries, x.dtype if x.dtype.kind == "f" else np.float64)
        )
        if self.output_mode == "int":
            return Tensor(indices.astype(np.int32))
        return _encode(indices, self.output_mode, len(self.bin_boundaries) + 1, self._dtype)

    def _depth(self) -> int:
        return self.num_bins if self.bin_boundaries is None else len(self.bin_boundaries) + 1

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        if self.output_mode == "one_hot":
            trimmed = shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape
            return (*trimmed, self._depth())
        return (shape[0], *shape[2:], self._depth()) if len(shape) >= 2 else (self._depth(),)

    def get_config(self) -> dict:
        # Keras's keys exactly (no "trainable": its constructor would refuse the key)
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config: dict) -> Discretization:
        """An adapted layer's config has both ``num_bins`` and its ``bin_boundaries``."""
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None)
        if config.get("num_bins") is None:
            return cls(bin_boundaries=boundaries, **config)
        layer = cls(**config)
        layer.bin_boundaries = boundaries
        return layer

"""Weight initializers with Keras's names, defaults and formulas.

An initializer is called with a shape and returns a NumPy array (float32 by default). Samples
come from nnscratch's global generator (``keras.utils.set_random_seed`` makes them repeat), or
from the initializer's own generator when it is given a ``seed``.

>>> from nnscratch import keras
>>> keras.initializers.get("zeros")((2, 3)).shape
(2, 3)
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

import numpy as np

from .. import random
from ..nn.init import _calculate_fan_in_and_fan_out
from .utils import to_snake_case

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "get",
]

# The standard deviation of a unit normal truncated to [-2, 2]: dividing by it restores the
# requested variance after truncation.
_TRUNCATED_STD = 0.87962566103423978


class Initializer:
    """Base class: ``__call__(shape, dtype=None)`` returns an array of that shape."""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape = tuple(int(d) for d in shape)
        return np.asarray(self.sample(shape), dtype=np.dtype(dtype or "float32"))

    def sample(self, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement sample(shape)")

    def generator(self) -> np.random.Generator:
        """The initializer's own generator when seeded, else nnscratch's global one."""
        return self._rng if self._rng is not None else random.generator()

    def get_config(self) -> dict:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def sample(self, shape):
        return np.broadcast_to(np.asarray(self.value), shape)

    def get_config(self) -> dict:
        return {"value": self.value}


class Zeros(Constant):
    """All zeros."""

    def __init__(self) -> None:
        super().__init__(0.0)

    def get_config(self) -> dict:
        return {}


class Ones(Constant):
    """All ones."""

    def __init__(self) -> None:
        super().__init__(1.0)

    def get_config(self) -> dict:
        return {}


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def sample(self, shape):
        if len(shape) != 2:
            raise ValueError(
                f"Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape}"
            )
        return self.gain * np.eye(*shape)

    def get_config(self) -> dict:
        return {"gain": self.gain}


class RandomUniform(Initializer):
    """Uniform on ``[minval, maxval)``."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def sample(self, shape):
        return self.generator().uniform(self.minval, self.maxval, shape)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


class RandomNormal(Initializer):
    """Normal with ``mean`` and ``stddev``."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def sample(self, shape):
        return self.generator().normal(self.mean, self.stddev, shape)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def _truncated_normal(rng: np.random.Generator, shape, mean: float, stddev: float) -> np.ndarray:
    """Normal samples, redrawn until each lies within two standard deviations of the mean."""
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return mean + stddev * z


class TruncatedNormal(RandomNormal):
    """Normal with ``mean`` and ``stddev``, values beyond two deviations redrawn."""

    def sample(self, shape):
        return _truncated_normal(self.generator(), shape, self.mean, self.stddev)


class VarianceScaling(Initializer):
    """Samples with variance ``scale / n``; ``n`` is fan_in, fan_out or their mean (``mode``).

    ``distribution`` is ``"truncated_normal"`` (stddev corrected for the truncation),
    ``"untruncated_normal"`` or ``"uniform"`` (limit ``sqrt(3 * scale / n)``).
    """

    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES or distribution not in self._DISTRIBUTIONS:
            raise ValueError(
                f"Invalid mode={mode!r} or distribution={distribution!r}: expected a mode in "
                f"{self._MODES} and a distribution in {self._DISTRIBUTIONS}"
            )
        self.scale, self.mode, self.distribution = scale, mode, distribution

    _axes = None  # (input axes, output axes) of an einsum kernel: see ``with_axes``

    def with_axes(self, input_axes, output_axes) -> VarianceScaling:
        """A copy that counts fans on the given kernel axes, as Keras's ``EinsumDense`` (and
        so ``MultiHeadAttention``) sets them: the fan-in is the product of the input axes'
        sizes and the fan-out of the output axes', where a kernel of rank 3 or more would
        otherwise be read as a convolution's."""
        clone = copy.copy(self)
        clone._axes = (tuple(input_axes), tuple(output_axes))
        return clone

    def _fans(self, shape) -> tuple[int, int]:
        if self._axes is None:
            return _calculate_fan_in_and_fan_out(shape, layout="keras")
        return tuple(math.prod(shape[a] for a in axes) for axes in self._axes)

    def sample(self, shape):
        fan_in, fan_out = self._fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return self.generator().uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return self.generator().normal(0.0, math.sqrt(variance), shape)
        return _truncated_normal(self.generator(), shape, 0.0, math.sqrt(variance) / _TRUNCATED_STD)

    def get_config(self) -> dict:
        return {
            "scale": self.scale,
            "mode": self.mode,
            "distribution": self.distribution,
            "seed": self.seed,
        }


class _Preset(VarianceScaling):
    """A VarianceScaling with fixed settings: only the seed is configurable."""

    def get_config(self) -> dict:
        return {"seed": self.seed}


class GlorotUniform(_Preset):
    """Uniform on ±sqrt(6 / (fan_in + fan_out)) (Xavier); ``Dense``'s default."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed)


class GlorotNormal(_Preset):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed)


class HeUniform(_Preset):
    """Uniform on ±sqrt(6 / fan_in)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "uniform", seed)


class HeNormal(_Preset):
    """Truncated normal with stddev sqrt(2 / fan_in)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(2.0, "fan_in", "truncated_normal", seed)


class LecunUniform(_Preset):
    """Uniform on ±sqrt(3 / fan_in)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "uniform", seed)


class LecunNormal(_Preset):
    """Truncated normal with stddev sqrt(1 / fan_in)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(1.0, "fan_in", "truncated_normal", seed)


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times ``gain``: the Q of a QR of a normal matrix, with the
    signs of R's diagonal folded in; leading dims are flattened into rows."""

    def __init__(self, gain: float = 1.0, seed=None) -> None:
        super().__init__(seed)
        self.gain = gain

    def sample(self, shape):
        if len(shape) < 2:
            raise ValueError(
                f"The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self.generator().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        return self.gain * (q.T if rows < cols else q).reshape(shape)

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


_CLASSES = (
    Constant,
    Zeros,
    Ones,
    Identity,
    RandomUniform,
    RandomNormal,
    TruncatedNormal,
    VarianceScaling,
    GlorotUniform,
    GlorotNormal,
    HeUniform,
    HeNormal,
    LecunUniform,
    LecunNormal,
    Orthogonal,
)
_BY_NAME: dict[str, type] = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{to_snake_case(cls.__name__): cls for cls in _CLASSES},
}


def get(identifier: str | Initializer | Callable | None) -> Initializer | Callable | None:
    """An initializer from a name (``"glorot_uniform"`` or ``"GlorotUniform"``), an instance,
    a class or a callable ``(shape, dtype) -> array``; ``None`` stays ``None``.

    >>> get("he_normal")
    HeNormal(seed=None)
    """
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier]()
        names = sorted(name for name in _BY_NAME if name.islower())
        raise ValueError(
            f"Unknown initializer: '{identifier}'. Valid names are: {', '.join(names)}"
        )
    if isinstance(identifier, type) and issubclass(identifier, Initializer):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret initializer identifier: {identifier!r}")

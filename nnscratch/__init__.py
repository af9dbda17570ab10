"""nnscratch: neural networks from scratch on NumPy.

Read it like PyTorch (``import nnscratch as ns``)::

    >>> import nnscratch as ns
    >>> w = ns.tensor([[0.5, -1.0]], requires_grad=True)
    >>> loss = (w @ ns.tensor([[2.0], [1.0]])).sigmoid().sum()
    >>> loss.backward()
    >>> w.grad.shape
    (1, 2)
"""

import importlib

from . import autograd, memory  # noqa: F401  (memory: the allocator settings, at import)
from .autograd import (
    Tensor, enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)  # fmt: skip
from .autograd.device import device, get_default_device, set_default_device
from .autograd.dtypes import (
    bool_,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .ops import *  # noqa: F403
from .ops.blas import get_num_threads, set_num_threads
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .autograd.printing import set_printoptions
from .determinism import (
    are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)  # fmt: skip

# The rest loads on first use (``ns.nn``, ``from nnscratch import keras``), so that
# ``import nnscratch`` costs little more than the tensor and its ops.
_SUBMODULES = (
    "nn", "optim", "utils", "datasets", "errors", "io", "keras", "viz", "cli",
    "cuda", "backends", "accelerator", "serialization", "testing", "jit", "profiler", "onnx",
    "quantization", "hub", "distributions", "linalg",
)  # fmt: skip
_FROM_IO = ("save", "load")  # torch.save / torch.load, without pickle


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_IO:
        return getattr(importlib.import_module(f"{__name__}.io"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES, *_FROM_IO})


bool = bool_  # noqa: A001  (torch.bool)
float = float32  # noqa: A001  (torch.float)
double = float64
long = int64
__version__ = "0.1.0"

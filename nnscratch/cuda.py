"""``torch.cuda`` for a framework without GPUs: the questions code asks, answered honestly.

``is_available()`` is False and ``device_count()`` is 0, so the usual
``"cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU. Seeding and cache clearing
do nothing, as in a torch built without CUDA. Anything that needs a GPU raises ``DeviceError``.

>>> import nnscratch as ns
>>> ns.cuda.is_available(), ns.cuda.device_count()
(False, 0)
"""

from __future__ import annotations

from .autograd import device as _device

# What needs a GPU to mean anything; asking for it raises DeviceError rather than
# AttributeError, naming the feature.
_NEEDS_GPU = (
    "current_device", "get_device_name", "get_device_properties", "get_device_capability",
    "set_device", "synchronize", "memory_allocated", "max_memory_allocated", "memory_reserved",
    "max_memory_reserved", "mem_get_info", "reset_peak_memory_stats", "memory_summary",
    "Stream", "Event", "stream", "current_stream", "amp", "graph", "get_rng_state",
    "set_rng_state",
)  # fmt: skip


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Nothing to seed: no GPU generators (``nnscratch.manual_seed`` seeds the CPU)."""


def manual_seed_all(seed: int) -> None:
    """Nothing to seed: no GPU generators."""


def seed() -> None:
    """Nothing to seed: no GPU generators."""


def seed_all() -> None:
    """Nothing to seed: no GPU generators."""


def empty_cache() -> None:
    """Nothing cached: no GPU memory."""


def __getattr__(name: str):
    if name in _NEEDS_GPU:
        _device.resolve(f"nnscratch.cuda.{name}", "cuda")
    raise AttributeError(f"module 'nnscratch.cuda' has no attribute {name!r}")

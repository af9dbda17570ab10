"""``torch.accelerator`` (torch 2.6+): the current accelerator, which nnscratch does not have.

Tutorials write ``torch.accelerator.current_accelerator().type if
torch.accelerator.is_available() else "cpu"``; here that picks ``"cpu"``.

>>> import nnscratch as ns
>>> ns.accelerator.is_available(), ns.accelerator.current_accelerator()
(False, None)
"""

from __future__ import annotations

from .autograd import device as _device
from .errors import DeviceError, refusal


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> _device.device | None:
    """None: no accelerator is present."""
    return None


def _none_available(name: str):
    message = (
        f"nnscratch.accelerator.{name}: no accelerator is available; nnscratch computes on "
        "the CPU with NumPy"
    )
    return refusal(name, DeviceError, message)


current_device_index = _none_available("current_device_index")
set_device_index = _none_available("set_device_index")
synchronize = _none_available("synchronize")
empty_cache = _none_available("empty_cache")

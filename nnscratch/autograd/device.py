"""Devices: where a tensor's numbers live and which array library computes on them.

nnscratch has one device, the CPU, with NumPy as its array module. The names are torch's
(``device("cpu")``, ``Tensor.device``, ``.to(device)``, ``device=`` on creation functions,
``set_default_device``), so code written for torch runs unchanged when it asks for the CPU, and
stops with a clear ``DeviceError`` when it asks for a GPU.

A GPU backend would plug in here: map its device type to its array module in ``_BACKENDS``
(CuPy mirrors NumPy's API) and let the ops take the module from their inputs' device.

>>> import nnscratch as ns
>>> ns.device("cpu"), str(ns.device("cpu", 0)), ns.ones(2).device
(device(type='cpu'), 'cpu:0', device(type='cpu'))
"""

from __future__ import annotations

import numpy as np

from ..errors import DeviceError

# The device types torch's parser knows; any of them may be named, only those with a backend
# may hold tensors.
KNOWN_TYPES = (
    "cpu", "cuda", "mps", "xpu", "hip", "ipu", "xla", "meta", "hpu", "mtia", "vulkan",
    "privateuseone",
)  # fmt: skip
_BACKENDS = {"cpu": np}


class device:  # noqa: N801 (torch's name)
    """A device name: a type (``"cpu"``) and an optional index (``device("cpu", 0)``).

    As in torch, any known type can be named (``device("cuda")`` is a valid object); only
    putting a tensor there fails, because nnscratch computes on the CPU.
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif not isinstance(type, str):
            raise DeviceError(
                f"device() expects a string such as 'cpu' or 'cpu:0', received {type!r} "
                "(an integer names a GPU, and nnscratch computes on the CPU with NumPy)"
            )
        elif ":" in type:
            type, index = _split(type, index)
        if type not in KNOWN_TYPES:
            raise DeviceError(
                f"device(): unknown device type {type!r}; expected one of {', '.join(KNOWN_TYPES)}"
            )
        if index is not None and (not isinstance(index, (int, np.integer)) or index < 0):
            raise DeviceError(f"device(): the index must be an int >= 0, received {index!r}")
        self.type = type
        self.index = None if index is None else int(index)

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


def _split(name: str, index) -> tuple[str, int]:
    type, _, number = name.partition(":")
    if index is not None or not number.isdigit():
        raise DeviceError(f"invalid device string {name!r}: expected 'type' or 'type:index'")
    return type, int(number)


CPU = device("cpu")
_default = CPU


def resolve(where: str, dev) -> device:
    """The device ``dev`` names (``None``: the default one), checked to be one we compute on."""
    if dev is None:
        return _default
    if not isinstance(dev, device):
        dev = device(dev)
    if dev.type not in _BACKENDS:
        raise DeviceError(
            f"{where}: device {str(dev)!r} is not available. nnscratch computes on the CPU "
            f"with NumPy; use device='cpu' (or drop the device argument)."
        )
    return dev


def check(where: str, dev) -> None:
    """Raise ``DeviceError`` unless ``dev`` is ``None`` or a device nnscratch computes on."""
    if dev is not None and dev is not CPU:
        resolve(where, dev)


def set_default_device(dev) -> None:
    """Where creation functions put tensors when no ``device=`` is given (``"cpu"`` only).

    >>> import nnscratch as ns
    >>> ns.set_default_device("cpu"); ns.get_default_device()
    device(type='cpu')
    """
    global _default
    _default = CPU if dev is None else resolve("set_default_device", dev)


def get_default_device() -> device:
    """The device that creation functions use when none is given."""
    return _default


def parse_to(where: str, args: tuple, kwargs: dict) -> tuple[device | None, object, bool]:
    """Read torch's three forms of ``.to``: ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``.

    Returns ``(device or None, dtype or None, copy)``; ``non_blocking`` and ``memory_format`` are
    accepted and have no effect on the CPU.
    """
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"{where}() got unexpected keyword arguments {sorted(unknown)}")
    dev, dtype = kwargs.get("device"), kwargs.get("dtype")
    rest = list(args)
    if rest and _is_tensor(rest[0]):
        other = rest.pop(0)
        dev, dtype = other.device, other.dtype
    elif rest and (rest[0] is None or _names_device(rest[0])):
        dev = rest.pop(0)
    if rest and not isinstance(rest[0], bool):
        dtype = rest.pop(0)
    if len(rest) > 2 or not all(isinstance(flag, bool) for flag in rest):
        raise TypeError(
            f"{where}() expects (device, dtype, non_blocking, copy), (dtype, ...) or "
            f"(tensor, ...), received positional arguments {args!r}"
        )
    copy = bool(kwargs.get("copy", rest[1] if len(rest) == 2 else False))
    if dev is not None:
        dev = resolve(where, dev)
    return dev, dtype, copy


def _names_device(x) -> bool:
    """A device argument; strings that name a dtype (``"float32"``, Keras's spelling) are
    taken as the dtype."""
    if isinstance(x, str):
        return x.partition(":")[0] in KNOWN_TYPES or not _is_dtype_name(x)
    return isinstance(x, (device, int)) and not isinstance(x, bool)


def _is_dtype_name(name: str) -> bool:
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


def _is_tensor(x) -> bool:
    from .tensor import Tensor  # tensor.py imports this module

    return isinstance(x, Tensor)

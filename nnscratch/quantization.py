"""``torch.quantization``: not supported; nnscratch computes in float32 and float64 only.

>>> import nnscratch as ns
>>> ns.quantization.quantize_dynamic(None)
Traceback (most recent call last):
...
NotImplementedError: torch.quantization.quantize_dynamic: nnscratch has no quantized ...
"""

from __future__ import annotations

from .errors import refusal

__all__ = ["DeQuantStub", "QuantStub", "convert", "prepare", "quantize", "quantize_dynamic"]

_NONE = (
    "{}: nnscratch has no quantized tensors or kernels; it computes in float32 and float64 "
    "on NumPy. Keep the float model (model.float() / model.half() change the float dtype)"
)


def _unquantized(name: str):
    return refusal(name, NotImplementedError, _NONE.format(f"torch.quantization.{name}"))


quantize_dynamic = _unquantized("quantize_dynamic")
quantize = _unquantized("quantize")
prepare = _unquantized("prepare")
convert = _unquantized("convert")


class QuantStub:
    """Raises ``NotImplementedError`` when made: no quantization."""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(_NONE.format("torch.quantization.QuantStub"))


class DeQuantStub(QuantStub):
    """Raises ``NotImplementedError`` when made: no quantization."""


# torch.quantization's other public names; asking for one raises NotImplementedError.
_OTHERS = (
    "QConfig", "default_qconfig", "default_dynamic_qconfig", "fuse_modules",
    "get_default_qconfig", "get_default_qat_qconfig", "prepare_qat", "quantize_qat",
)  # fmt: skip


def __getattr__(name: str):
    if name in _OTHERS:
        raise NotImplementedError(_NONE.format(f"torch.quantization.{name}"))
    raise AttributeError(f"module 'nnscratch.quantization' has no attribute {name!r}")

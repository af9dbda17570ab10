"""``torch.quantization``: not supported; nnscratch computes in float32 and float64 only.

>>> import nnscratch as ns
>>> ns.quantization.quantize_dynamic(None)
Traceback (most recent call last):
...
NotImplementedError: torch.quantization.quantize_dynamic: nnscratch has no quantized ...
"""

from __future__ import annotations

__all__ = ["DeQuantStub", "QuantStub", "convert", "prepare", "quantize", "quantize_dynamic"]

_NONE = (
    "{}: nnscratch has no quantized tensors or kernels; it computes in float32 and float64 "
    "on NumPy. Keep the float model (model.float() / model.half() change the float dtype)"
)


def quantize_dynamic(model, *args, **kwargs):
    """Raises ``NotImplementedError``: no quantization."""
    raise NotImplementedError(_NONE.format("torch.quantization.quantize_dynamic"))


def quantize(model, *args, **kwargs):
    """Raises ``NotImplementedError``: no quantization."""
    raise NotImplementedError(_NONE.format("torch.quantization.quantize"))


def prepare(model, *args, **kwargs):
    """Raises ``NotImplementedError``: no quantization."""
    raise NotImplementedError(_NONE.format("torch.quantization.prepare"))


def convert(model, *args, **kwargs):
    """Raises ``NotImplementedError``: no quantization."""
    raise NotImplementedError(_NONE.format("torch.quantization.convert"))


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

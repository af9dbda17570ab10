"""``torch.onnx``: ONNX export is not yet supported (a later version adds it).

>>> import nnscratch as ns
>>> ns.onnx.is_in_onnx_export()
False
"""

from __future__ import annotations

__all__ = ["dynamo_export", "export", "is_in_onnx_export"]

_NOT_YET = (
    "{}: ONNX export is not yet supported by nnscratch. Meanwhile, save the weights with "
    "ns.save(model.state_dict(), 'model.safetensors'); PyTorch reads that file "
    "(safetensors.torch.load_file), so the same model can be exported from there"
)


def export(model, args=None, f=None, *more, **kwargs):
    """Raises ``NotImplementedError``: ONNX export is not yet supported."""
    raise NotImplementedError(_NOT_YET.format("torch.onnx.export"))


def dynamo_export(model, *args, **kwargs):
    """Raises ``NotImplementedError``: ONNX export is not yet supported."""
    raise NotImplementedError(_NOT_YET.format("torch.onnx.dynamo_export"))


def is_in_onnx_export() -> bool:
    """False: no export is ever running."""
    return False

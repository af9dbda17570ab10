"""``torch.onnx``: ONNX export is not yet supported (a later version adds it).

>>> import nnscratch as ns
>>> ns.onnx.is_in_onnx_export()
False
"""

from __future__ import annotations

from .errors import refusal

__all__ = ["dynamo_export", "export", "is_in_onnx_export"]


def _not_yet(name: str):
    message = (
        f"torch.onnx.{name}: ONNX export is not yet supported by nnscratch. Meanwhile, save "
        "the weights with ns.save(model.state_dict(), 'model.safetensors'); PyTorch reads "
        "that file (safetensors.torch.load_file), so the same model can be exported from there"
    )
    return refusal(name, NotImplementedError, message)


export = _not_yet("export")
dynamo_export = _not_yet("dynamo_export")


def is_in_onnx_export() -> bool:
    """False: no export is ever running."""
    return False

"""``torch.nn.utils.rnn``: batching sequences of different lengths.

``pad_sequence`` stacks sequences into one padded batch. Packed sequences (``PackedSequence``
and the functions that make and undo them) are not supported: nnscratch's recurrent layers
run every step of the padded batch. Run each length group on its own, or keep the padded
batch and mask what the padding produces.

>>> import nnscratch as ns
>>> batch = pad_sequence([ns.ones(2), ns.ones(3)], batch_first=True)
>>> batch.tolist()
[[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
"""

from __future__ import annotations

from ...autograd.tensor import Tensor
from ...errors import refusal
from ...ops.movement import stack
from ...ops.padding import pad

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence",
           "pad_sequence"]  # fmt: skip


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stack tensors of shape ``(L_i, *)`` into ``(L_max, B, *)`` (``(B, L_max, *)`` with
    ``batch_first``), filling the missing steps with ``padding_value``."""
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received no sequences")
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'right' or 'left', received {padding_side!r}"
        )
    longest = max(s.shape[0] for s in sequences)
    padded = [_pad_steps(s, longest - s.shape[0], padding_value, padding_side) for s in sequences]
    return stack(padded, 0 if batch_first else 1)


def _pad_steps(sequence: Tensor, missing: int, value: float, side: str) -> Tensor:
    widths = [0, 0] * (sequence.ndim - 1) + ([0, missing] if side == "right" else [missing, 0])
    return pad(sequence, widths, value=value)


def _packed(name: str):
    message = (
        f"torch.nn.utils.rnn.{name}: packed sequences are not supported; nnscratch's "
        "recurrent layers run the padded batch (pad_sequence). Group the sequences by "
        "length, or mask the outputs at the padded steps"
    )
    return refusal(name, NotImplementedError, message)


pack_padded_sequence = _packed("pack_padded_sequence")
pad_packed_sequence = _packed("pad_packed_sequence")
pack_sequence = _packed("pack_sequence")
PackedSequence = _packed("PackedSequence")

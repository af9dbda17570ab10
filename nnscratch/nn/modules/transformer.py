"""``torch.nn.modules.transformer``: the names torch defines there, re-exported."""

from ..transformer import TransformerEncoderLayer
from ..transformer_stack import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
)

__all__ = [
    "Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]  # fmt: skip

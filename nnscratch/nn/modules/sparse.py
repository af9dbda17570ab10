"""``torch.nn.modules.sparse``: the names torch defines there, re-exported."""

from ..sparse import Embedding

__all__ = ["Embedding"]

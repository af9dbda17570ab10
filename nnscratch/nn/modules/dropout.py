"""``torch.nn.modules.dropout``: the names torch defines there, re-exported."""

from ..dropout import Dropout

__all__ = ["Dropout"]

"""``torch.nn.modules.loss``: the names torch defines there, re-exported. New loss modules
show up here by themselves."""

from .. import embedding_loss as _embedding_loss
from .. import loss as _loss
from ..embedding_loss import *  # noqa: F403
from ..loss import *  # noqa: F403

__all__ = [*_loss.__all__, *_embedding_loss.__all__]

"""``History`` lives in ``keras.callbacks``; re-exported here for ``keras.models.History``."""

from ..callbacks.history import History

__all__ = ["History"]

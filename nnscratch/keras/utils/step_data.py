"""``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``, as ``keras.utils`` exports them.

The functions live in ``keras.models.step_data``, beside the trainer that packs batches; these
two forward to them. They import it when called: the models import the layers, which import
this package, so an import here at load time would go round in a circle.
"""

from __future__ import annotations

__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``: see ``models.step_data``.

    >>> pack_x_y_sample_weight([1, 2]), pack_x_y_sample_weight(1, 2)
    (([1, 2],), (1, 2))
    """
    from ..models import step_data

    return step_data.pack_x_y_sample_weight(x, y, sample_weight)


def unpack_x_y_sample_weight(data) -> tuple:
    """``(x, y, sample_weight)`` from a packed batch: see ``models.step_data``.

    >>> unpack_x_y_sample_weight((1, 2))
    (1, 2, None)
    """
    from ..models import step_data

    return step_data.unpack_x_y_sample_weight(data)

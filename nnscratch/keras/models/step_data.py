"""One batch as ``train_step``, ``test_step`` and a custom step receive it: Keras's packing.

Keras hands a step ``x`` alone when there are no targets (a structure of several inputs
wrapped as ``(x,)``), ``(x, y)`` with targets, and ``(x, y, sample_weight)`` with sample
weights too; a step unpacks whichever came. So the guides' ``x, y = data`` works when ``fit``
got no sample weights, and a GAN's ``train_step`` fit on images alone gets the images.
"""

from __future__ import annotations

__all__ = ["pack_x_y_sample_weight", "unpack_x_y_sample_weight"]


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``: the shortest that holds all.

    >>> pack_x_y_sample_weight("x"), pack_x_y_sample_weight(["x1", "x2"])
    ('x', (['x1', 'x2'],))
    >>> pack_x_y_sample_weight("x", "y"), pack_x_y_sample_weight("x", "y", "w")
    (('x', 'y'), ('x', 'y', 'w'))
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data) -> tuple:
    """``(x, y, sample_weight)`` from a packed batch, None for what it lacks.

    >>> unpack_x_y_sample_weight("x"), unpack_x_y_sample_weight(("x", "y"))
    (('x', None, None), ('x', 'y', None))
    >>> unpack_x_y_sample_weight(("x", "y", "w", "?"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unpack_x_y_sample_weight: data is expected as x, (x,), (x, y) or ...
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) > 3:
        raise ValueError(
            "unpack_x_y_sample_weight: data is expected as x, (x,), (x, y) or (x, y, "
            f"sample_weight), received a tuple of {len(data)}"
        )
    return (*data, None, None)[:3]

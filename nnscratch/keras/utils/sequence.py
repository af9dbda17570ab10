"""``pad_sequences``: a list of variable-length sequences as one rectangular array."""

from __future__ import annotations

import numpy as np

__all__ = ["pad_sequences"]

_SIDES = ("pre", "post")


def pad_sequences(
    sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0
) -> np.ndarray:
    """Pad (or cut) each sequence to ``maxlen`` steps, default the longest one's length.

    ``padding="pre"`` puts ``value`` before a short sequence, ``"post"`` after it;
    ``truncating="pre"`` drops the first steps of a long one, ``"post"`` its last. Each step
    may itself be an array (all of the same shape).

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable. Received: {type(sequences).__name__}")
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in _SIDES:
            raise ValueError(
                f'{name.capitalize()} type "{side}" not understood: expected "pre" or "post"'
            )
    arrays = [_as_steps(seq) for seq in sequences]
    step_shape = next((a.shape[1:] for a in arrays if len(a)), ())
    if maxlen is None:
        maxlen = max((len(a) for a in arrays), default=0)
    _check_value(value, dtype)
    out = np.full((len(arrays), maxlen, *step_shape), value, dtype=dtype)
    for row, steps in enumerate(arrays):
        _place(out, row, steps, maxlen, padding, truncating, step_shape)
    return out


def _as_steps(sequence) -> np.ndarray:
    try:
        len(sequence)
    except TypeError:
        raise ValueError(
            f"`sequences` must be a list of iterables. Found non-iterable: {sequence!r:.60}"
        ) from None
    return np.asarray(sequence)


def _check_value(value, dtype) -> None:
    is_text = np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )


def _place(out, row, steps, maxlen, padding, truncating, step_shape) -> None:
    if not len(steps) or not maxlen:
        return
    kept = steps[-maxlen:] if truncating == "pre" else steps[:maxlen]
    if kept.shape[1:] != tuple(step_shape):
        raise ValueError(
            f"Shape of sample {kept.shape[1:]} of sequence at position {row} is different "
            f"from expected shape {tuple(step_shape)}"
        )
    if padding == "post":
        out[row, : len(kept)] = kept
    else:
        out[row, -len(kept) :] = kept

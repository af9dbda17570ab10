"""``keras.ops.rearrange``: einops-style reshaping and transposing by a pattern such as
``"b (h w) c -> b h w c"``, done as reshape -> permute -> reshape (all differentiable).

Names on the left are the input's axes; a parenthesised group is one input axis split into
several (all sizes but one given as keywords, the last inferred). The right side orders the
named axes and may group them again (``"b h w c -> b (h w) c"`` merges two).

>>> import numpy as np
>>> rearrange(np.arange(6).reshape(2, 3), "a b -> b a").shape
(3, 2)
"""

from __future__ import annotations

import math
import re

from nnscratch.autograd.tensor import Tensor

from .arguments import tensor_arg
from .symbolic import symbolic

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\(([\w\s]*)\)|(\w+)")


def _groups(side: str, pattern: str) -> list[list[str]]:
    """``"b (h w) c"`` as ``[["b"], ["h", "w"], ["c"]]``."""
    groups = [m.group(1).split() if m.group(1) is not None else [m.group(2)]
              for m in _TOKEN.finditer(side)]  # fmt: skip
    if "..." in side or not groups:
        raise ValueError(f"keras.ops.rearrange: cannot read pattern {pattern!r} (no '...' here)")
    return groups


def _sizes(groups: list[list[str]], shape: tuple, lengths: dict, pattern: str) -> dict:
    """Every named axis's size, splitting each input axis among its group."""
    if len(groups) != len(shape):
        raise ValueError(
            f"keras.ops.rearrange: pattern {pattern!r} names {len(groups)} input axes, "
            f"the tensor has shape {shape}"
        )
    sizes = {}
    for group, dim in zip(groups, shape):
        unknown = [a for a in group if a not in lengths]
        known = math.prod(lengths[a] for a in group if a in lengths)
        if len(unknown) > 1 or (not unknown and known != dim) or dim % known:
            raise ValueError(
                f"keras.ops.rearrange: cannot split axis of size {dim} into {group} "
                f"with sizes {lengths}"
            )
        sizes.update({a: lengths.get(a, dim // known) for a in group})
    return sizes


@symbolic
def rearrange(tensor, pattern, **axes_lengths) -> Tensor:
    """``tensor``'s axes split, reordered and merged as ``pattern`` says."""
    x = tensor_arg(tensor, "rearrange", "tensor")
    left, arrow, right = pattern.partition("->")
    if not arrow:
        raise ValueError(f"keras.ops.rearrange: pattern {pattern!r} has no '->'")
    inputs, outputs = _groups(left, pattern), _groups(right, pattern)
    sizes = _sizes(inputs, tuple(x.shape), dict(axes_lengths), pattern)
    names = [a for group in inputs for a in group]
    wanted = [a for group in outputs for a in group]
    if sorted(names) != sorted(wanted):
        raise ValueError(f"keras.ops.rearrange: {pattern!r} must use the same names on both sides")
    x = x.reshape(*[sizes[a] for a in names]).permute(*[names.index(a) for a in wanted])
    return x.reshape(*[math.prod(sizes[a] for a in group) for group in outputs])

"""``torch.utils.tensorboard``: no TensorBoard writer yet.

>>> from nnscratch.utils.tensorboard import SummaryWriter
>>> SummaryWriter()
Traceback (most recent call last):
...
NotImplementedError: torch.utils.tensorboard.SummaryWriter: nnscratch has no TensorBoard ...
"""

from __future__ import annotations

__all__ = ["SummaryWriter"]


class SummaryWriter:
    """Raises ``NotImplementedError`` when made, saying how to log instead."""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            "torch.utils.tensorboard.SummaryWriter: nnscratch has no TensorBoard writer yet. "
            "Log the numbers yourself (print or a CSV file) and plot them with "
            "nnscratch.viz, or keep the training loop's losses in a list"
        )

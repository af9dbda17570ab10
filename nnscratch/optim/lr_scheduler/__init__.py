"""Learning-rate schedulers with torch.optim.lr_scheduler's names, defaults and numbers.

A scheduler rewrites ``group["lr"]`` in its optimizer's ``param_groups`` each time ``step()``
is called: once per epoch, or once per batch for ``OneCycleLR``. Like torch, most schedulers
are *chainable*: the next lr is computed from the current one, so the sequence matches torch's
bit for bit, and another piece of code may also change ``group["lr"]`` in between.

    >>> import nnscratch as ns
    >>> from nnscratch.optim.lr_scheduler import StepLR
    >>> optimizer = ns.optim.SGD([ns.zeros(2, requires_grad=True)], lr=0.1)
    >>> scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     optimizer.step()  # after the batches of an epoch
    ...     lrs.append(scheduler.get_last_lr()[0])
    ...     scheduler.step()
    >>> lrs
    [0.1, 0.1, 0.05, 0.05, 0.025]
"""

from .base import LRScheduler
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiStepLR,
    StepLR,
)

__all__ = [
    "LRScheduler", "LambdaLR", "StepLR", "MultiStepLR", "LinearLR", "ExponentialLR",
    "CosineAnnealingLR", "OneCycleLR", "ReduceLROnPlateau",
]  # fmt: skip

"""An epoch of ``steps`` batches drawn from passes over the data, by Keras 3's rules.

Without ``steps`` (Keras's ``steps_per_epoch`` for ``fit``, ``steps`` for ``evaluate`` and
``predict``) an epoch is one whole pass. With it, one pass runs on across epochs: each epoch
takes the next ``steps`` batches, and once the pass is used up the next epoch starts a fresh
one (so a shuffled source is shuffled anew). When a pass runs out in the middle of an epoch,
the epoch ends there with Keras's warning; it never runs past the end of a pass.

With 5 batches a pass and ``steps=2``, the epochs take batches ``[0, 1]``, ``[2, 3]``, ``[4]``
(with a warning), then ``[0, 1]`` of a new pass; with ``steps=7`` every epoch takes the five
and warns.

>>> import warnings
>>> epochs = EpochBatches(range(5), steps=2)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     [list(epochs) for _ in range(4)]
[[0, 1], [2, 3], [4], [0, 1]]
"""

from __future__ import annotations

import warnings

__all__ = ["RAN_OUT", "EpochBatches"]

RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches."
)


class EpochBatches:
    """Epochs of ``steps`` items from ``source``, a re-iterable with a length (each
    ``iter(source)`` is one pass: index batches over arrays, a DataLoader). ``len()`` is the
    number of steps an epoch takes, as Keras reports it to callbacks (``params['steps']``)."""

    def __init__(self, source, steps: int | None = None) -> None:
        self.source, self.count = source, len(source)
        self.explicit_steps = steps
        self.steps = self.count if steps is None else steps
        self.reset()

    def __len__(self) -> int:
        return self.steps

    def reset(self) -> None:
        """Forget the pass under way: the next epoch starts a new one (Keras resets its epoch
        iterator when ``fit`` or ``evaluate`` starts)."""
        self._pass, self._seen = None, 0

    def __iter__(self):
        if self._pass is None or self.explicit_steps is None:
            self._pass, self._seen = iter(self.source), 0
        for _ in range(self.steps):
            item = next(self._pass, _END)
            if item is _END:  # the pass ran out before the epoch's steps did
                warnings.warn(RAN_OUT, UserWarning, stacklevel=2)
                self._seen = self.count
                break
            self._seen += 1
            yield item
        if self._seen >= self.count:
            self.reset()


_END = object()

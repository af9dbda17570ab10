"""The checks and defaults behind ``DataLoader``'s arguments, in torch's words.

torch's rules: ``sampler`` excludes ``shuffle``; ``batch_sampler`` excludes ``batch_size``,
``shuffle``, ``sampler`` and ``drop_last``; ``batch_size=None`` (no batching) excludes
``drop_last``; an ``IterableDataset`` takes none of ``shuffle``, ``sampler`` and
``batch_sampler``; the worker options need ``num_workers > 0``.

    >>> s, b = samplers(range(5), 2, False, None, None, False, None)
    >>> type(s).__name__, list(b)
    ('SequentialSampler', [[0, 1], [2, 3], [4]])
"""

from __future__ import annotations

from ...errors import InputError
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["check_batching", "check_iterable", "check_workers", "samplers"]


def check_workers(num_workers, timeout, prefetch_factor, persistent_workers, context) -> None:
    """Raise as torch does for worker options that cannot apply."""
    if not isinstance(num_workers, int) or isinstance(num_workers, bool) or num_workers < 0:
        raise InputError(
            "DataLoader: num_workers option should be non-negative; use num_workers=0 to "
            f"disable multiprocessing (received num_workers={num_workers!r})."
        )
    if timeout < 0:
        raise InputError(f"DataLoader: timeout option should be non-negative, got {timeout!r}")
    if num_workers > 0:
        return
    if prefetch_factor is not None:
        raise InputError(
            "DataLoader: prefetch_factor option could only be specified with num_workers > 0; "
            f"set prefetch_factor to None (received prefetch_factor={prefetch_factor!r})."
        )
    if persistent_workers:
        raise InputError("DataLoader: persistent_workers option needs num_workers > 0")
    if context is not None:
        raise InputError(
            "DataLoader: multiprocessing_context can only be used with multi-process loading "
            "(num_workers > 0), but got num_workers=0"
        )


def check_batching(batch_size, drop_last) -> None:
    """``batch_size``: a positive int or None; ``drop_last``: a bool, and not with None."""
    bad_size = not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0
    if batch_size is not None and bad_size:
        raise InputError(
            f"DataLoader: batch_size should be a positive integer value, "
            f"but got batch_size={batch_size}"
        )
    if not isinstance(drop_last, bool):
        raise InputError(
            f"DataLoader: drop_last should be a boolean value, but got drop_last={drop_last}"
        )
    if batch_size is None and drop_last:
        raise InputError(
            "DataLoader: batch_size=None option disables auto-batching and is mutually "
            "exclusive with drop_last"
        )


def check_iterable(shuffle, sampler, batch_sampler) -> None:
    """An IterableDataset sets its own order: no shuffle, sampler or batch_sampler."""
    for name, value in [("shuffle", shuffle), ("sampler", sampler)]:
        if value not in (None, False):
            raise InputError(
                f"DataLoader with IterableDataset: expected unspecified {name} option, but got "
                f"{name}={value!r:.60}"
            )
    if batch_sampler is not None:
        raise InputError(
            "DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
            f"got batch_sampler={batch_sampler!r:.60}"
        )


def samplers(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator):
    """``(sampler, batch_sampler)`` for a map-style dataset, after torch's exclusion rules;
    ``batch_sampler`` is None when ``batch_size`` is None (samples come one by one)."""
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise InputError(
                "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                f"shuffle, sampler, and drop_last (received batch_size={batch_size!r}, "
                f"shuffle={shuffle!r}, sampler={sampler!r:.60}, drop_last={drop_last!r})"
            )
        return SequentialSampler(dataset), batch_sampler
    if sampler is not None and shuffle:
        raise InputError(
            "DataLoader: sampler option is mutually exclusive with shuffle: the sampler sets "
            "the order (use RandomSampler(dataset) for a shuffled one)"
        )
    if sampler is None and shuffle:
        sampler = RandomSampler(dataset, generator=generator)
    elif sampler is None:
        sampler = SequentialSampler(dataset)
    if batch_size is None:
        return sampler, None
    return sampler, BatchSampler(sampler, batch_size, drop_last)

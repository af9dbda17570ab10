"""``torch.profiler`` / ``torch.autograd.profiler``: no profiler yet; labels are accepted.

``record_function("name")`` only labels a region for a profiler, so it is a context manager
(and decorator) that does nothing. ``profile`` raises ``NotImplementedError`` with a way to
time code instead.

>>> from nnscratch.autograd.profiler import record_function
>>> with record_function("forward"):
...     pass
"""

from __future__ import annotations

import contextlib
import enum

__all__ = ["ProfilerActivity", "profile", "record_function", "schedule",
           "tensorboard_trace_handler"]  # fmt: skip

NO_PROFILER = (
    "{}: nnscratch has no profiler yet. Time a step with time.perf_counter(), or profile "
    "the Python calls with cProfile (python -m cProfile -s cumtime your_script.py)"
)


class ProfilerActivity(enum.Enum):
    """torch's activities, so that ``activities=[ProfilerActivity.CPU]`` evaluates."""

    CPU = "cpu"
    CUDA = "cuda"


class profile:  # noqa: N801 (torch's name)
    """Raises ``NotImplementedError``: nnscratch has no profiler yet (the message says how
    to time code instead)."""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(NO_PROFILER.format("torch.profiler.profile"))


class record_function(contextlib.ContextDecorator):  # noqa: N801 (torch's name)
    """A label for a profiler: does nothing, as in torch when no profiler runs."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args

    def __enter__(self) -> record_function:
        return self

    def __exit__(self, *exc) -> None:
        return None


def schedule(*args, **kwargs):
    """Raises ``NotImplementedError``: there is no profiler to schedule."""
    raise NotImplementedError(NO_PROFILER.format("torch.profiler.schedule"))


def tensorboard_trace_handler(*args, **kwargs):
    """Raises ``NotImplementedError``: there is no profiler trace to write."""
    raise NotImplementedError(NO_PROFILER.format("torch.profiler.tensorboard_trace_handler"))

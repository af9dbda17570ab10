"""``torch.profiler``: see ``nnscratch.autograd.profiler`` (no profiler yet; labels accepted).

>>> import nnscratch as ns
>>> with ns.profiler.record_function("step"):
...     pass
"""

from .autograd.profiler import (
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    tensorboard_trace_handler,
)

__all__ = ["ProfilerActivity", "profile", "record_function", "schedule",
           "tensorboard_trace_handler"]  # fmt: skip

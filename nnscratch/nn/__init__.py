"""Neural-network building blocks, as ``torch.nn`` (so far: ``functional``)."""

from . import functional

__all__ = ["functional"]

"""Utilities beside the model code: ``nnscratch.utils.data`` (datasets and loaders) and
``nnscratch.utils.checkpoint`` (``save_checkpoint`` / ``load_checkpoint`` for resumable runs)."""

from . import checkpoint, data, mobile_optimizer, tensorboard
from .checkpoint import load_checkpoint, save_checkpoint

"""Utilities for training ``nn`` models, as ``torch.nn.utils``: gradient clipping, and
padding sequences (``rnn``)."""

from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm

__all__ = ["rnn", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

"""Utilities beside the model code: ``nnscratch.utils.data`` (datasets and loaders)."""

from . import data

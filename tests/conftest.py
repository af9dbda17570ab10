"""Shared fixtures. Oracles (torch) may be absent on a user's machine, never in CI."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)

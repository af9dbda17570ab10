"""Shared fixtures. Oracles (torch) may be absent on a user's machine, never in CI."""

import os

# The tests use small matrices, where a second BLAS thread only adds overhead (and, on a busy
# 2-core machine, oversubscription that made some tests ten times slower). Set before NumPy
# loads; an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

os.environ.setdefault("KERAS_BACKEND", "torch")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)

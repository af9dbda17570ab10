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


@pytest.fixture
def restore_random_states():
    """Put NumPy's, Python's and nnscratch's global generators back after a test that seeds
    them (``keras.utils.set_random_seed`` seeds all three, as Keras does)."""
    import random

    from nnscratch.random import get_rng_state, set_rng_state

    saved = np.random.get_state(), random.getstate(), get_rng_state()
    yield
    np.random.set_state(saved[0])
    random.setstate(saved[1])
    set_rng_state(saved[2])

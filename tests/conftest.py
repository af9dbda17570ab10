"""Shared fixtures, and the suite's tolerance policy. Oracles (torch, Keras) may be absent on
a user's machine, never in CI.

Tolerance policy: the suite passes on any CPU and BLAS (AVX2 or AVX-512 kernels, OpenBLAS or
MKL sum in different orders; libm's exp and erf may differ by an ulp), so no comparison may
hang on the last bit of a computed value. ``tests/tolerance.py`` holds the numbers:
``tolerance(dtype, magnitude)`` and ``assert_close(actual, desired)``, which ``parity.check``
uses by default.

- float64 against an oracle (torch, Keras, a NumPy formula, math.erf) or against a second
  code path (a fused op and its composition): rtol 1e-12, atol 1e-12 times the scale.
- float32 (and a float64 computation done in float32, such as Keras's means): a few ulp,
  rtol 1e-6 (about 8 ulp), atol 1e-6 times the scale. float16: rtol 4e-3 (4 ulp).
- The scale is the largest |expected value|, and at least 1 (the suite's inputs are about 1):
  a value near 0 that is a sum or difference of larger terms (a matmul, a reduction, a
  normalisation's gradient) carries their rounding, not its own. An elementwise function's
  error is relative to each element, so its comparison may keep a smaller atol (0 for erf).
- Bit-exact only where the maths is exact: copies, reshapes, indexing, integer and boolean
  results, max/min/relu/clamp selections, a single correctly rounded operation (x * 3), exact
  dyadic values (0.25, 1.5), and the same code run twice on the same machine (a seeded
  repeat, a fast path that does the very same operations as its slow path, a save and load,
  a resumed run against an uninterrupted one).
- Longer computations get their own tolerance, with a comment saying why: a training run
  that compounds rounding over many steps, a finite difference, a value that differs by
  design (torch's 1e-12 floor in BCE is a float32 constant).
- Printed output that a page shows (docs/tutorial.md, doctests) is rounded or bounded
  (``< 1e-12``), never the full repr of a computed float.

Before making a tolerance tighter, move one side 2 ulp (``np.nextafter``) and 1 ulp of the
scale: the comparison must still pass.
"""

import os

import numpy as np
import pytest

# BLAS keeps its default thread count, as a user's process does: nnscratch itself runs the
# mid-size products, where a second thread only costs, on one thread (nnscratch/ops/blas.py).
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

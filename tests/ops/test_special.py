"""erf against Python's math.erf (an independent implementation) across its regimes."""

import math

import numpy as np
from tolerance import assert_close

from nnscratch.ops.special import erf


def test_erf_matches_math_erf():
    x = np.concatenate([np.linspace(-8, 8, 4001), [0.0, -0.0, 0.46875, 4.0, 1e-300, 30.0, -40.0]])
    expected = np.array([math.erf(v) for v in x])
    assert_close(erf(x), expected, atol=0)  # elementwise: relative everywhere, even at 1e-300


def test_erf_keeps_nan_and_limits():
    out = erf(np.array([np.nan, np.inf, -np.inf]))
    assert np.isnan(out[0]) and out[1] == 1.0 and out[2] == -1.0

import numpy as np
import pytest

from parity import check


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (3,))])
def test_binary(op, shapes, rng):
    a, b = (rng.standard_normal(s) for s in shapes)
    check(lambda lib, x, y: getattr(lib, op)(x, y), a, b + 3.0)

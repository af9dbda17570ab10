"""gradcheck itself must catch wrong gradients, and say where."""

import numpy as np
import pytest

import nnscratch as ns
from nnscratch.autograd import Function, GradcheckError, gradcheck


class WrongSquare(Function):
    """y = x**2 with a deliberately wrong derivative at index 1."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        wrong = 2 * x
        wrong[1] += 0.5
        return grad * wrong


def _inputs(*shape):
    return ns.tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)


def test_passes_on_correct_gradients():
    x, y = _inputs(3, 2), _inputs(2)
    assert gradcheck(lambda a, b: (a * b).sum(0) / (b * b + 1), (x, y))


def test_names_the_input_and_index_on_failure():
    x, y = _inputs(2), _inputs(3)
    with pytest.raises(GradcheckError, match="input 1 \\(shape \\(3,\\)\\) at index \\(1,\\)"):
        gradcheck(lambda a, b: a.sum() * WrongSquare.apply(b), (x, y))
    assert gradcheck(lambda b: WrongSquare.apply(b), (y,), raise_exception=False) is False


def test_multiple_outputs_and_non_tensor_inputs():
    x = _inputs(4)
    assert gradcheck(lambda a, k: (a * k, a * a), (x, 3.0))


def test_refuses_float32_and_nothing_to_check():
    with pytest.raises(ValueError, match="float64"):
        gradcheck(lambda a: a * 2, (ns.ones(2, requires_grad=True),))
    with pytest.raises(ValueError, match="no input has requires_grad"):
        gradcheck(lambda a: a * 2, (ns.ones(2, dtype=ns.float64),))


def test_leaves_inputs_unchanged():
    x = _inputs(3)
    before = x.detach().numpy().copy()
    gradcheck(lambda a: a * a, (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)
    assert x.grad is None

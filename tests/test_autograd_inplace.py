"""In-place updates: allowed where torch allows them, a clear error where autograd needs a value."""

import numpy as np
import pytest

import nnscratch as ns


def test_hand_written_sgd_step_under_no_grad():
    w = ns.tensor([1.0, -1.0], requires_grad=True)
    (w * w).sum().backward()
    with ns.no_grad():
        w -= 0.25 * w.grad
    assert w.tolist() == [0.5, -0.5] and w.requires_grad and w.is_leaf
    with ns.no_grad():
        w += 1
        w *= 2
        w /= 4
    assert w.tolist() == [0.75, 0.25]


def test_zero_fill_copy():
    w = ns.ones(3, requires_grad=True)
    with ns.no_grad():
        w.fill_(2.5)
        assert w.tolist() == [2.5] * 3
        w.copy_(ns.tensor([1.0, 2.0, 3.0]))
        assert w.tolist() == [1.0, 2.0, 3.0]
        w.zero_()
    assert w.tolist() == [0.0] * 3
    g = ns.ones(2)
    g.zero_()  # a tensor that needs no grad may be written any time
    assert g.tolist() == [0.0, 0.0]


def test_data_is_a_detached_view():
    w = ns.tensor([1.0, 2.0], requires_grad=True)
    w.data -= 1  # no no_grad needed, as in torch
    assert w.tolist() == [0.0, 1.0] and w.requires_grad
    w.data = ns.tensor([5.0, 6.0])
    assert w.tolist() == [5.0, 6.0]


def test_setitem_under_no_grad():
    w = ns.zeros(4, requires_grad=True)
    with ns.no_grad():
        w[1:3] = 7.0
        w[ns.tensor([0])] = ns.tensor([1.0])
    assert w.tolist() == [1.0, 7.0, 7.0, 0.0]


def test_inplace_on_leaf_that_requires_grad_raises():
    w = ns.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="in-place operation on a leaf tensor that requires grad"
    ):
        w -= 1
    with pytest.raises(RuntimeError, match="no_grad"):
        w.zero_()


def test_inplace_on_graph_tensor_raises():
    w = ns.ones(2, requires_grad=True)
    h = w * 2
    with pytest.raises(RuntimeError, match="graph tensor"):
        h += 1


def test_modifying_a_saved_input_is_caught_at_backward():
    w = ns.tensor([1.0, 2.0], requires_grad=True)
    x = ns.tensor([3.0, 4.0])
    y = (w * x).sum()  # Mul saves x for dy/dw
    x += 1
    with pytest.raises(
        RuntimeError, match="MulBackward needs an input \\(shape \\(2,\\)\\).*in-place"
    ):
        y.backward()


def test_modifying_a_saved_output_is_caught_at_backward():
    w = ns.tensor([1.0, 2.0], requires_grad=True)
    e = w.exp()  # Exp saves its output
    loss = e.sum()
    with ns.no_grad():
        e *= 2
    with pytest.raises(RuntimeError, match="needs its output"):
        loss.backward()


def test_modifying_an_unsaved_input_is_fine():
    w = ns.tensor([1.0, 2.0], requires_grad=True)
    x = ns.tensor([3.0, 4.0])
    y = (w + x).sum()  # Add saves nothing
    x += 1
    y.backward()
    assert w.grad.tolist() == [1.0, 1.0]


def test_inplace_float_into_int_is_a_clear_error():
    i = ns.tensor([1, 2])
    with pytest.raises(TypeError, match="int64 tensor"):
        i += 0.5
    i += 1
    assert i.tolist() == [2, 3]


def test_inplace_keeps_dtype():
    w = ns.ones(2)
    w -= np.float64(0.5) * ns.ones(2, dtype=ns.float64)
    assert w.dtype == ns.float32 and w.tolist() == [0.5, 0.5]

"""In-place updates: allowed where torch allows them, a clear error where autograd needs a value."""

import numpy as np
import pytest
from parity import require_torch

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


def _in_place_cases():
    """In-place writes inside the graph that torch allows, each ending in a scalar loss."""

    def issue_18(lib, x, w):  # y is not saved for backward: nothing reads its old value
        y = x * 3
        y += 1
        return y.sum()

    def earlier_reader(lib, x, w):  # z read y before y *= w: z keeps the old y's gradient path
        y = x * 3
        z = y + 0
        y *= w
        return (z + y * y).sum()

    def twice(lib, x, w):
        y = x * 3
        y.div_(w)
        y.sub_(x, alpha=2)
        return (y**2).sum()

    def constant_plus_weight(lib, x, w):  # a plain tensor joins the graph
        a = lib.zeros(3, dtype=lib.float64)
        a.add_(w)
        return (a * x).sum()

    def setitem_zero_and_copy(lib, x, w):
        y, u, v = x * 3, x * 2, x + 1
        y[0:2] = w[1]
        y[y > 0] = 0.5
        u.zero_()
        v.copy_(w * 2)
        return (y * y + u * w + v * x).sum()

    return [issue_18, earlier_reader, twice, constant_plus_weight, setitem_zero_and_copy]


@pytest.mark.parametrize("case", _in_place_cases(), ids=lambda f: f.__name__)
def test_inplace_on_graph_tensors_follows_torch(case):
    torch = require_torch()
    results = []
    for lib in (ns, torch):
        x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.5, 0.25, -1.0], dtype=lib.float64, requires_grad=True)
        loss = case(lib, x, w)
        loss.backward()
        grads = [t.grad.numpy() if t.grad is not None else np.zeros(3) for t in (x, w)]
        results.append([loss.detach().numpy(), *grads])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "case,words",
    [
        (lambda x: x.exp().add_(1), "ExpBackward needs its output"),  # exp saved its output
        (lambda x: (lambda y: (y * y, y.add_(1))[0])(x * 3), "MulBackward needs an input"),
    ],
)
def test_inplace_that_backward_would_read_is_caught(case, words):
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=words):
        case(x).sum().backward()


def test_inplace_on_a_view_of_a_tracked_tensor_is_refused_before_writing():
    w = ns.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="view .* of a tensor that autograd tracks"):
        w[0:2].add_(1)
    assert w.tolist() == [1.0, 1.0, 1.0]


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

"""The engine: graph shapes, accumulation, freeing, errors. Oracles: hand derivatives, torch."""

import numpy as np
import pytest
from parity import require_torch

import nnscratch as ns
from nnscratch.autograd import Function


def test_node_reuse_accumulates_like_torch():
    torch = require_torch()
    results = []
    for lib in (ns, torch):
        a = lib.tensor([1.5, -2.0], dtype=lib.float64, requires_grad=True)
        c = a * 3
        for _ in range(3):
            c = c + c * a  # c is used twice per step
        c.sum().backward()
        results.append(a.grad.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


def test_diamond_sums_both_paths():
    x = ns.tensor(2.0, dtype=ns.float64, requires_grad=True)
    y = x * x  # both branches read y
    z = y * 3 + y * y
    z.backward()
    # dz/dx = (3 + 2y) * 2x with y = 4
    assert x.grad.item() == pytest.approx((3 + 2 * 4) * 2 * 2)


def test_chain_of_10000_ops_needs_no_recursion():
    x = ns.tensor(1.0, dtype=ns.float64, requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**10_000, rel=1e-9)


def test_gradients_accumulate_across_backward_calls():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy() + 3)


def test_leaf_grads_do_not_alias_each_other():
    a, b = ns.ones(2, requires_grad=True), ns.ones(2, requires_grad=True)
    (a + b).sum().backward()  # Add hands the same array to both inputs
    with ns.no_grad():
        a.grad.zero_()
    assert b.grad.tolist() == [1.0, 1.0]


def test_a_leaf_copies_a_gradient_someone_else_holds():
    """A backward that keeps the array it returns (a cache, say): the leaf gets a copy."""
    kept = []

    class Keeps(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            kept.append(grad * 2)
            return kept[-1]

    x = ns.ones(3, requires_grad=True)
    Keeps.apply(x).sum().backward()
    with ns.no_grad():
        x.grad.zero_()
    assert kept[0].tolist() == [2.0, 2.0, 2.0]


def test_a_leaf_keeps_an_unshared_gradient_without_copying_it():
    """As torch's AccumulateGrad: an array no one else holds becomes ``.grad`` as it is."""
    returned = []

    class Fresh(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            g = grad * 2
            returned.append(id(g))  # (the id only: holding the array would make it shared)
            return g

    x = ns.ones(3, requires_grad=True)
    Fresh.apply(x).sum().backward()
    assert id(x.grad._data) == returned[0]
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_second_backward_through_freed_graph_raises():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]


def test_non_scalar_backward_needs_gradient():
    x = ns.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs.*shape \\(3,\\)"):
        (x * 2).backward()
    (x * 2).backward(ns.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_backward_gradient_of_wrong_shape_raises():
    x = ns.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient has shape \\(2,\\), expected .*\\(3,\\)"):
        (x * 2).backward(ns.ones(2))


def test_backward_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ns.ones(2).sum().backward()


def test_no_graph_is_recorded_without_requires_grad():
    y = ns.ones(2) * 3
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_no_grad_and_enable_grad():
    x = ns.ones(2, requires_grad=True)
    with ns.no_grad():
        assert not (x * 2).requires_grad
        with ns.enable_grad():
            assert (x * 2).requires_grad
    assert (x * 2).requires_grad

    @ns.no_grad()
    def infer(t):
        return t * 2

    assert not infer(x).requires_grad
    assert ns.is_grad_enabled()


def test_detach_cuts_the_graph_and_shares_storage():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf
    y = (x * d).sum()
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0]  # d is a constant
    base = ns.zeros(2)
    view = base.detach()
    view += 1
    assert base.tolist() == [1.0, 1.0]


def test_retain_grad_keeps_an_intermediate_gradient():
    x = ns.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert (x * 2).grad is None


def test_leaf_properties_and_repr():
    x = ns.tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 2
    assert x.is_leaf and not y.is_leaf
    assert repr(x) == "tensor([[1., 2.]], requires_grad=True)"
    assert repr(y) == "tensor([[2., 4.]], grad_fn=<MulBackward>)"
    assert repr(ns.tensor([1, 2], dtype=ns.int32)) == "tensor([1, 2], dtype=int32)"
    assert x.shape == (1, 2) and x.ndim == 2 and x.dtype == ns.float32
    assert x.T.shape == (2, 1) and x.size(1) == 2 and x.numel() == 2
    assert ns.tensor(3.5).item() == 3.5
    with pytest.raises(ValueError, match="one element.*shape \\(1, 2\\)"):
        x.item()
    with pytest.raises(RuntimeError, match="detach\\(\\).numpy\\(\\)"):
        x.numpy()


def test_requires_grad_only_for_floats():
    with pytest.raises(RuntimeError, match="floating point.*int64"):
        ns.tensor([1, 2], requires_grad=True)
    assert ns.tensor([1.0]).requires_grad_().requires_grad


def test_function_sees_needs_input_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    Probe.apply(ns.ones(1, requires_grad=True), ns.ones(1))
    Probe.apply(ns.ones(1), 2.0)
    assert seen == [(True, False), (False, False)]


def test_intermediate_gradients_are_freed_after_use():
    import weakref

    class Keep(Function):
        refs = []

        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            out = grad * 1
            Keep.refs.append(weakref.ref(out))
            return out

    x = ns.ones(4, requires_grad=True)
    y = Keep.apply(Keep.apply(x) * 2)
    y.sum().backward()
    import gc

    gc.collect()
    outer, inner = Keep.refs  # backward runs the outer Keep first
    assert outer() is None  # nothing keeps the intermediate array
    assert inner() is x.grad._data  # the leaf's gradient, unshared, became x.grad itself
    assert y.grad_fn.saved_tensors is None  # and the graph's saved arrays are released

"""Looking into the graph and steering backward, as torch code does: ``grad_fn`` and
``next_functions``, tensor hooks, ``retain_grad``, ``autograd.grad``, ``backward(inputs=)``,
and the grad modes (``no_grad``, ``inference_mode``, ``set_grad_enabled``), each against torch.
"""

from __future__ import annotations

import numpy as np
import pytest
from parity import require_torch
from tolerance import assert_close

import nnscratch as ns

torch = require_torch()


def _pair(values, lib):
    return lib.tensor(values, dtype=lib.float64, requires_grad=True)


def _shape_of_graph(node, depth=4):
    """The graph below ``node`` as nested tuples of kinds: None, 'leaf' or a subgraph."""
    if node is None:
        return None
    if node.name() == "AccumulateGrad":
        return "leaf"
    if depth == 0:
        return "..."
    return tuple(_shape_of_graph(n, depth - 1) for n, _ in node.next_functions)


def test_next_functions_walk_the_same_graph_as_torchs():
    def build(lib):
        x, w = _pair([1.0, 2.0], lib), _pair([3.0, -1.0], lib)
        hidden = (x * w).relu() + lib.ones(2, dtype=lib.float64)
        return (hidden * hidden).mean(), x, w

    (ours, x, w), (theirs, _, _) = build(ns), build(torch)
    assert _shape_of_graph(ours.grad_fn) == _shape_of_graph(theirs.grad_fn)
    assert ours.grad_fn.next_functions[0][1] == 0
    node = ours.grad_fn  # mean <- square <- add <- relu <- mul
    for _ in range(4):
        node = node.next_functions[0][0]
    assert node.name() == "MulBackward"
    mul = node
    leaves = [node.variable for node, _ in mul.next_functions]
    assert leaves[0] is x and leaves[1] is w


def test_grad_fn_names_say_which_op_made_the_tensor():
    x = _pair([1.0, 2.0], ns)
    assert x.grad_fn is None and ns.ones(2).grad_fn is None
    assert (x * x).grad_fn.name() == "MulBackward"
    assert x.sum().grad_fn.name() == "SumBackward"
    assert repr(x.exp().grad_fn) == "<ExpBackward>"
    loss = ns.nn.functional.mse_loss(x, ns.zeros(2, dtype=ns.float64))
    assert "Backward" in loss.grad_fn.name()


def test_next_functions_after_the_graph_was_freed_say_so():
    y = (_pair([1.0], ns) * 2).sum()
    node = y.grad_fn
    y.backward()
    with pytest.raises(RuntimeError, match="freed by a backward pass.*retain_graph=True"):
        node.next_functions  # noqa: B018


def test_is_leaf_and_requires_grad_follow_torch():
    for lib in (ns, torch):
        x = lib.ones(2)
        assert x.is_leaf and not x.requires_grad
        assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
        y = x * 2
        assert not y.is_leaf and y.requires_grad
        with pytest.raises(RuntimeError):
            y.requires_grad_(False)
        with pytest.raises(RuntimeError):
            lib.ones(2, dtype=lib.int64).requires_grad_()
        with lib.no_grad():
            assert (x * 2).is_leaf
        assert y.detach().is_leaf


def _run_hooks(lib):
    x = _pair([1.0, -2.0, 3.0], lib)
    seen = []
    x.register_hook(lambda g: seen.append(g.detach().clone()))
    mid = x * x
    mid.register_hook(lambda g: g * 10)  # replaces the gradient flowing on
    mid.retain_grad()
    mid.register_hook(lambda g: seen.append(g.detach().clone()))
    removed = x.register_hook(lambda g: g * 1000)
    removed.remove()
    (mid.sum() + (x * 3).sum()).backward()  # x reaches the loss twice
    return x.grad, mid.grad, seen


def test_tensor_hooks_see_and_replace_gradients_as_in_torch():
    ours, theirs = _run_hooks(ns), _run_hooks(torch)
    assert len(ours[2]) == len(theirs[2]) == 2  # the leaf's hook ran once, on the summed grad
    for a, b in zip([ours[0], ours[1], *ours[2]], [theirs[0], theirs[1], *theirs[2]]):
        assert_close(a.numpy(), b.numpy())


def test_retained_grad_is_the_one_after_the_hooks():
    for lib in (ns, torch):
        x = _pair([1.0, 2.0], lib)
        m = x * 1
        assert not m.retains_grad
        m.retain_grad()
        m.register_hook(lambda g: g * 2)
        (m * 3).sum().backward()
        assert m.retains_grad
        np.testing.assert_array_equal(m.grad.numpy(), [6.0, 6.0])
        np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])


def test_a_hook_must_return_a_gradient_of_the_right_shape():
    x = _pair([1.0, 2.0], ns)
    x.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match=r"hook must return None or a gradient of shape \(2,\)"):
        (x * x).sum().backward()


def test_hooks_need_a_tensor_that_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        torch.ones(2).register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ns.ones(2).register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        ns.ones(2).retain_grad()


def _grads(lib):
    x, w = _pair([0.5, -1.5], lib), _pair([2.0, 3.0], lib)
    hidden = (x * w).tanh()
    a, b = (hidden * hidden).sum(), (hidden * x).sum()
    both = lib.autograd.grad([a, b], [x, w], retain_graph=True)
    weighted = lib.autograd.grad(
        [a, b],
        [x, hidden],
        grad_outputs=[lib.tensor(2.0, dtype=lib.float64), None],
        retain_graph=True,
    )
    only_a = lib.autograd.grad(a, x)
    return [*both, *weighted, *only_a], x, w


def test_autograd_grad_matches_torch_and_leaves_dot_grad_alone():
    (ours, x, w), (theirs, _, _) = _grads(ns), _grads(torch)
    for a, b in zip(ours, theirs):
        assert_close(a.numpy(), b.numpy())
    assert x.grad is None and w.grad is None


def test_autograd_grad_reports_unused_and_non_differentiable_inputs_like_torch():
    for lib in (ns, torch):
        x, unused = _pair([1.0], lib), _pair([2.0], lib)
        with pytest.raises(RuntimeError, match="not.* used in the graph.*allow_unused=True"):
            lib.autograd.grad((x * 2).sum(), [x, unused])
        got = lib.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
        assert got[1] is None
        zeros = lib.autograd.grad((x * 2).sum(), [x, unused], materialize_grads=True)[1]
        np.testing.assert_array_equal(zeros.numpy(), [0.0])
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.autograd.grad((x * 2).sum(), lib.ones(1))
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.autograd.grad(lib.ones(1).sum(), x)
        with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
            lib.autograd.grad(x * lib.ones(2, dtype=lib.float64), x)


def test_a_second_autograd_grad_needs_retain_graph():
    x = _pair([1.0, 2.0], ns)
    y = (x.exp()).sum()
    first = ns.autograd.grad(y, x, retain_graph=True)[0]
    second = ns.autograd.grad(y, x)[0]
    assert_close(first.numpy(), second.numpy())
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        ns.autograd.grad(y, x)


def test_higher_order_gradients_are_refused_with_a_way_around():
    x = _pair([1.0], ns)
    with pytest.raises(NotImplementedError, match="create_graph=True.*finite differences"):
        ns.autograd.grad((x * x).sum(), x, create_graph=True)
    with pytest.raises(NotImplementedError, match="Tensor.backward\\(create_graph=True\\)"):
        (x * x).sum().backward(create_graph=True)


def _backward_into(lib):
    x, w = _pair([1.0, 2.0], lib), _pair([3.0, 4.0], lib)
    mid = x * w
    (mid * mid).sum().backward(inputs=[x, mid])
    return x.grad, w.grad, mid.grad


def test_backward_with_inputs_fills_only_those_as_in_torch():
    ours, theirs = _backward_into(ns), _backward_into(torch)
    assert ours[1] is None and theirs[1] is None
    for a, b in [(ours[0], theirs[0]), (ours[2], theirs[2])]:
        assert_close(a.numpy(), b.numpy())


def test_autograd_backward_seeds_several_outputs():
    results = []
    for lib in (ns, torch):
        x = _pair([1.0, -1.0], lib)
        lib.autograd.backward([x.exp(), (x * x).sum()], [lib.ones(2, dtype=lib.float64), None])
        results.append(x.grad.numpy())
    assert_close(*results)


def test_a_leaf_root_gets_its_gradient_through_its_hooks():
    x = _pair([1.0, 2.0], ns)
    x.register_hook(lambda g: g + 1)
    x.backward(ns.tensor([1.0, 1.0], dtype=ns.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode"])
def test_grad_modes_work_as_context_and_as_decorators_with_or_without_parentheses(mode):
    for lib in (ns, torch):
        x = lib.ones(2, requires_grad=True)
        manager = getattr(lib, mode)

        @manager
        def bare(x=x):
            return (x * 2).requires_grad

        @manager()
        def called(x=x):
            return (x * 2).requires_grad

        with manager():
            inside = (x * 2).requires_grad
        assert (bare(), called(), inside) == (False, False, False)
        assert (x * 2).requires_grad and lib.is_grad_enabled()


def test_inference_mode_false_leaves_recording_on_and_the_flag_is_readable():
    for lib in (ns, torch):
        x = lib.ones(1, requires_grad=True)
        with lib.inference_mode(False):
            assert (x * 2).requires_grad
        assert not lib.is_inference_mode_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
            with lib.enable_grad():
                assert lib.is_grad_enabled()


def test_set_grad_enabled_is_a_call_and_a_context_manager():
    for lib in (ns, torch):
        x = lib.ones(1, requires_grad=True)
        for training in (True, False):
            with lib.set_grad_enabled(training):
                assert (x * 2).requires_grad is training
            assert lib.is_grad_enabled()
        lib.set_grad_enabled(False)
        try:
            assert not (x * 2).requires_grad
        finally:
            lib.set_grad_enabled(True)

        @lib.set_grad_enabled(False)
        def decorated(lib=lib):
            return lib.is_grad_enabled()

        assert decorated() is False and lib.is_grad_enabled()

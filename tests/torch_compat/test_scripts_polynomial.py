"""The polynomial-fitting scripts of pytorch/tutorials (``beginner_source/examples_*``), the
dynamic net, pytorch/examples regression/main.py (a polynomial fitted by a Linear layer) and
micrograd's engine test, walked with torch and with nnscratch.

Each test follows the sequence of torch calls of one script, on 120 points instead of 2000
and for a few dozen steps, and compares losses and coefficients. The runs are in float64
where the script lets us choose, and compared to rtol 1e-10: tens of steps of gradient
descent carry the rounding of each step's sums (about 1e-15 each, amplified by the steps),
far below what any wrong formula would show (1e-3 or more). The float32 checks are one or a
few steps, to rtol 1e-5.
"""

from __future__ import annotations

import math
import random
from itertools import count

import numpy as np
import pytest
from parity import require_torch
from script_pairs import assert_same, dtype_name, node_name, run_both, start_from, tensors

import nnscratch as ns

TRAINING = {"rtol": 1e-10, "atol": 1e-10}  # float64 over tens of steps (module docstring)
START = (0.3, -0.7, 0.2, 0.05)  # the four coefficients every walk starts from
POINTS = 120


def _curve(torch, dtype):
    x = torch.linspace(-math.pi, math.pi, POINTS, dtype=dtype)
    return x, torch.sin(x)


def test_numpy_warmup_gradients_equal_autograd():
    """polynomial_numpy derives the gradients by hand; they must equal what both libraries'
    autograd gives for the same loss (follows the hand-written backward pass of
    pytorch/tutorials beginner_source/examples_tensor/polynomial_numpy.py)."""
    x = np.linspace(-math.pi, math.pi, POINTS)
    y = np.sin(x)
    coef = np.array(START)
    pred = coef[0] + coef[1] * x + coef[2] * x**2 + coef[3] * x**3
    by_hand = 2.0 * (pred - y)
    expected = [by_hand.sum()] + [(by_hand * x**k).sum() for k in (1, 2, 3)]
    for lib in (require_torch(), ns):
        params = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in START]
        xs, ys = tensors(lib, x, y)
        a, b, c, d = params
        lib.square(a + b * xs + c * xs**2 + d * xs**3 - ys).sum().backward()
        got = [p.grad.item() for p in params]
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=lib.__name__)


def _walk_tensor_script(torch, steps=40, lr=2e-5):
    """Follows pytorch/tutorials beginner_source/examples_tensor/polynomial_tensor.py."""
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, POINTS, device=device, dtype=torch.float64)
    y = torch.sin(x)
    drawn = torch.randn((), device=device, dtype=torch.float64)
    a, b, c, d = (torch.full((), v, device=device, dtype=torch.float64) for v in START)
    losses = []
    for _ in range(steps):
        y_pred = a + (b * x) + (c * x.pow(2)) + (d * x.pow(3))
        losses.append((y_pred - y).pow(2).sum().item())
        grad_y_pred = -2.0 * (y - y_pred)
        grad_a = grad_y_pred.sum()
        grad_b = torch.matmul(input=grad_y_pred, other=x).sum()
        grad_c = torch.matmul(input=grad_y_pred, other=x.pow(2)).sum()
        grad_d = torch.matmul(input=grad_y_pred, other=x.pow(3)).sum()
        a -= lr * grad_a
        b -= lr * grad_b
        c -= lr * grad_c
        d -= lr * grad_d
    return {
        "drawn": (tuple(drawn.shape), dtype_name(drawn.dtype), str(drawn.device)),
        "losses": losses,
        "result": [a.item(), b.item(), c.item(), d.item()],
    }


def test_polynomial_tensor_manual_backward():
    ours, _ = run_both(_walk_tensor_script, **TRAINING)
    assert ours["losses"][-1] < ours["losses"][0]


def _walk_autograd_script(torch, steps=40, lr=2e-5):
    """Follows pytorch/tutorials beginner_source/examples_autograd/polynomial_autograd.py."""
    accel = torch.accelerator.current_accelerator()
    device = accel.type if torch.accelerator.is_available() else "cpu"
    torch.set_default_device(device)
    try:
        x, y = _curve(torch, torch.float64)
        drawn = torch.randn((), dtype=torch.float64, requires_grad=True)
        a, b, c, d = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in START)
        losses = []
        for _ in range(steps):
            y_pred = a + b * x + c * x**2 + d * x**3
            loss = (y_pred - y).pow(2).sum()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                a -= lr * a.grad
                b -= lr * b.grad
                c -= lr * c.grad
                d -= lr * d.grad
                a.grad, b.grad, c.grad, d.grad = None, None, None, None
    finally:
        torch.set_default_device(None)
    return {
        "device": device,
        "drawn": (tuple(drawn.shape), drawn.requires_grad, drawn.is_leaf),
        "loss graph": (node_name(loss.grad_fn), loss.requires_grad),
        "losses": losses,
        "result": [a.item(), b.item(), c.item(), d.item()],
        "leaves": [(t.is_leaf, t.requires_grad, t.grad) for t in (a, b, c, d)],
    }


def test_polynomial_autograd_with_no_grad_updates():
    run_both(_walk_autograd_script, **TRAINING)


def test_polynomial_autograd_float32_steps():
    """The script's own dtype, ``torch.float``, for three steps."""

    def walk(torch):
        x, y = _curve(torch, torch.float)
        a, b, c, d = (torch.tensor(v, dtype=torch.float, requires_grad=True) for v in START)
        out = []
        for _ in range(3):
            loss = (a + b * x + c * x**2 + d * x**3 - y).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                for p in (a, b, c, d):
                    p -= 1e-5 * p.grad
                    p.grad = None
            out.append(loss)
        return {"losses": [t.detach() for t in out], "a": a, "d": d}

    run_both(walk, rtol=1e-5, atol=1e-5)


def test_assigning_a_float_to_grad_is_refused_as_in_torch():
    """One revision of polynomial_autograd resets the gradients with ``a.grad = 0.``: torch
    refuses that with a TypeError (the gradient must be a tensor or None)."""
    for lib in (require_torch(), ns):
        a = lib.zeros((), requires_grad=True)
        with pytest.raises(TypeError):
            a.grad = 0.0


def _legendre_function(torch):
    class CubicLegendre(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return 0.5 * (5 * t**3 - 3 * t)

        @staticmethod
        def backward(ctx, grad_output):
            (t,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * t**2 - 1)

    return CubicLegendre


def _walk_custom_function(torch, steps=30, lr=5e-5):
    """Follows pytorch/tutorials beginner_source/examples_autograd/polynomial_custom_function.py."""
    function = _legendre_function(torch)
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, POINTS, device=device, dtype=torch.float64)
    y = torch.sin(x)
    starts = (0.0, -1.0, 0.0, 0.3)
    a, b, c, d = (
        torch.full((), v, device=device, dtype=torch.float64, requires_grad=True) for v in starts
    )
    losses = []
    for _ in range(steps):
        p3 = function.apply
        inner = p3(c + d * x)
        y_pred = a + b * inner
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= lr * a.grad
            b -= lr * b.grad
            c -= lr * c.grad
            d -= lr * d.grad
            a.grad = b.grad = c.grad = d.grad = None
    return {
        "node": node_name(inner.grad_fn),
        "losses": losses,
        "result": [a.item(), b.item(), c.item(), d.item()],
    }


def test_polynomial_custom_autograd_function():
    ours, _ = run_both(_walk_custom_function, **TRAINING)
    assert ours["node"] == "CubicLegendreBackward"


def _walk_nn_script(torch, start=None, use_optim=False, steps=30, lr=2e-5):
    """Follows pytorch/tutorials beginner_source/examples_nn/polynomial_nn.py, and with
    ``use_optim`` polynomial_optim.py."""
    x, y = _curve(torch, torch.float64)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1)).double()
    if start is None:
        start = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in start.items()})
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr) if use_optim else None
    losses = []
    for _ in range(steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        losses.append(loss.item())
        if use_optim:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        else:
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= lr * param.grad
    layer = model[0]
    return {
        "start": start,
        "xx": (tuple(xx.shape), dtype_name(xx.dtype)),
        "repr": repr(model),
        "losses": losses,
        "result": [layer.bias.item()] + [layer.weight[:, k].item() for k in range(3)],
    }


@pytest.mark.parametrize("use_optim", [False, True], ids=["polynomial_nn", "polynomial_optim"])
def test_polynomial_sequential(use_optim):
    run_both(_walk_nn_script, use_optim=use_optim, **TRAINING)


def _polynomial_module(torch, degree):
    names = "abcde"[: degree + 1]

    class Polynomial(torch.nn.Module):
        def __init__(self):
            super().__init__()
            for name in names:
                setattr(self, name, torch.nn.Parameter(torch.randn((), dtype=torch.float64)))

        def terms(self, x, top):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for power in range(4, top):  # the dynamic net reuses ``e`` for x^4 and x^5
                y = y + self.e * x**power
            return y

        def forward(self, x):
            return self.terms(x, random.randint(4, 6) if degree == 4 else 4)

        def string(self):
            return " + ".join(f"{getattr(self, n).item()} x^{k}" for k, n in enumerate(names))

    return Polynomial


def _walk_module_script(torch, start=None, degree=3, steps=30, lr=2e-5, momentum=0.0):
    """Follows pytorch/tutorials beginner_source/examples_nn/polynomial_module.py, and with
    ``degree=4`` and momentum, dynamic_net.py (Python's ``random`` picks the orders)."""
    x, y = _curve(torch, torch.float64)
    model = _polynomial_module(torch, degree)()
    if start is None:
        start = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    else:
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in start.items()})
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    random.seed(7)  # the same choices of order in both runs
    losses = []
    for _ in range(steps):
        loss = criterion(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {
        "start": start,
        "names": [(n, tuple(p.shape), p.requires_grad) for n, p in model.named_parameters()],
        "losses": losses,
        "result": [float(part.split(" ")[0]) for part in model.string().split(" + ")],
    }


def test_polynomial_custom_module():
    run_both(_walk_module_script, **TRAINING)


def test_dynamic_net_weight_sharing_with_momentum():
    state = random.getstate()
    try:
        run_both(_walk_module_script, degree=4, lr=1e-8, momentum=0.9, steps=40, **TRAINING)
    finally:
        random.setstate(state)


def _walk_regression(torch, w_np, b_np, batches, start=None):
    """Follows pytorch/examples regression/main.py (the random batches injected)."""
    F = torch.nn.functional
    w_target, b_target = tensors(torch, w_np, b_np)

    def make_features(x):
        x = x.unsqueeze(1)
        return torch.cat([x**i for i in range(1, 5)], 1)

    def poly_desc(w, b):
        terms = "".join(f"{v:+.2f} x^{i + 1} " for i, v in enumerate(w))
        return "y = " + terms + f"{b[0]:+.2f}"

    fc = torch.nn.Linear(w_target.size(0), 1).double()
    seen = {"start": start_from(torch, fc, start), "losses": []}
    for batch_idx in count(1):
        batch_x = make_features(tensors(torch, batches[batch_idx - 1]))
        batch_y = batch_x.mm(w_target) + b_target.item()
        fc.zero_grad()
        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        seen["losses"].append(loss)
        if loss < 1e-3 or batch_idx == len(batches):
            break
    seen["learned"] = poly_desc(fc.weight.view(-1), fc.bias)
    seen["actual"] = poly_desc(w_target.view(-1), b_target)
    return seen


def test_regression():
    rng = np.random.default_rng(2)
    w, b = rng.standard_normal((4, 1)) * 0.5, rng.standard_normal(1) * 0.5
    batches = [rng.uniform(-1, 1, 32) for _ in range(40)]
    ours, _ = run_both(_walk_regression, w, b, batches, **TRAINING)
    assert ours["losses"][-1] < ours["losses"][0]


def _walk_micrograd_expressions(torch):
    """In the spirit of micrograd's test/test_engine.py: scalar expressions with sums,
    products, powers, relu, division, negation and reused nodes, on float64 one-element
    tensors made with ``torch.Tensor([...]).double()`` and ``requires_grad = True``."""
    u = torch.Tensor([1.5]).double()
    v = torch.Tensor([-0.5]).double()
    u.requires_grad = True
    v.requires_grad = True
    s = u * v + u**3
    t = (s - v).relu() + s * s + (u - u).relu()  # relu at exactly 0: gradient 0
    t = t + 3 * t + (-v)
    w = t / (u + 3.0) + 2.0 / t
    w = w + (v - u).relu() * 4 - (-s) + (u * v * v).relu()
    r = w**2 / 3.0 - w
    r.backward()
    first = {"r": r.item(), "du": u.grad.item(), "dv": v.grad.item()}
    p = torch.Tensor([-2.0]).double()
    p.requires_grad = True
    z = 3 * p + 1 + p
    q = z.relu() + z * p
    h = (z * z).relu()
    out = h + q + q * p
    out.backward()
    return {"first": first, "second": {"out": out.item(), "dp": p.grad.item()}}


def test_micrograd_style_engine_values_and_gradients():
    run_both(_walk_micrograd_expressions)


def test_walk_compares_against_torch_tolerance_not_bits():
    """The comparison helper itself: a 1-ulp nudge passes, a 1e-6 relative error does not."""
    base = {"v": 1.0, "t": np.array([1.0, 2.0])}
    assert_same({"v": np.nextafter(1.0, 2.0), "t": np.array([1.0, 2.0])}, base)
    with pytest.raises(AssertionError):
        assert_same({"v": 1.0 + 1e-6, "t": np.array([1.0, 2.0])}, base)

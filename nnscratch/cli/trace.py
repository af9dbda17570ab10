"""``nnscratch trace``: one training step of the article's network, every number shown.

The step is the article's: forward (``z1, a1, z2, a2``), the loss, the hand-written gradients
of ``back_prop`` (``dz2 = a2 - y``, ``dw2 = dz2 a1^T / m``, ``dz1 = w2^T dz2 * a1(1 - a1)``,
``dw1 = dz1 x^T / m``), then the same gradients from nnscratch's autograd and the update
``w -= lr * dw``. All in float64, so autograd and the hand formulas agree to rounding (~1e-16,
whose last digits depend on the machine: the text shows ``< 1e-12``).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

import nnscratch as ns

from .. import scratch
from ..datasets import logic_gate
from .arguments import gate_names, int_range, positive_float
from .limits import MAX_HIDDEN, MAX_SEED
from .output import UsageError, format_matrix

__all__ = ["add_parser", "run", "trace_step"]

DESCRIPTION = """\
Show one training step of the seed article's network (sigmoid, no biases) on a gate's truth
table: the forward values, the local derivatives, the hand-written gradients of back_prop,
the same gradients computed by nnscratch autograd, and the updated weights. The layout is
the article's: one column per example, x (inputs, m), y (1, m), w1 (hidden, inputs), w2 (1,
hidden); w1 and w2 are np.random.seed(SEED); rand(...) as in the article."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``trace`` and its options."""
    parser = subparsers.add_parser(
        "trace", help="one training step of the article's network, every number shown",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--gate", type=gate_names, default=["xor"], help="default: xor")
    parser.add_argument("--seed", type=int_range(0, MAX_SEED), default=42,
                        help="default: 42 (the article's)")  # fmt: skip
    parser.add_argument("--lr", type=positive_float, default=0.1, help="default: 0.1")
    parser.add_argument("--hidden", type=int_range(1, MAX_HIDDEN), default=2, help="default: 2")
    parser.add_argument("--json", action="store_true", help="print the values as JSON")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Compute the step and print it, as text or as JSON."""
    if len(args.gate) != 1:
        raise UsageError(f"trace takes one gate, received {','.join(args.gate)}")
    values = trace_step(args.gate[0], args.seed, args.lr, args.hidden)
    if args.json:
        items = [f" {json.dumps(k)}: {json.dumps(_jsonable(v))}" for k, v in values.items()]
        print("{\n" + ",\n".join(items) + "\n}")  # one value a line, each list on its line
    else:
        print(render(values))
    return 0


def trace_step(gate: str, seed: int, lr: float, hidden: int = 2) -> dict:
    """Every value of one step of the article's network on ``gate``, by name.

    >>> values = trace_step("xor", seed=42, lr=0.1)
    >>> values["dw1"].shape, bool(values["max_abs_diff"] < 1e-12)
    ((2, 2), True)
    """
    inputs, targets = logic_gate(gate)
    x, y = inputs.T.astype(np.float64), targets.T.astype(np.float64)
    m = x.shape[1]
    w1, w2 = scratch.init_weights(seed, x.shape[0], hidden)
    z1, a1, z2, a2 = scratch.forward_prop(w1, w2, x)
    dz2, dw2, dz1, dw1 = scratch.back_prop(m, w1, w2, z1, a1, z2, a2, x, y)
    values = dict(gate=gate, seed=seed, lr=lr, m=m, x=x, y=y, w1=w1, w2=w2)
    values.update(z1=z1, a1=a1, z2=z2, a2=a2, loss=scratch.cross_entropy(a2, y))
    values.update(
        dloss_da2=-(y / a2 - (1 - y) / (1 - a2)) / m,
        sigmoid_prime_z2=a2 * (1 - a2),
        sigmoid_prime_z1=a1 * (1 - a1),
    )
    values.update(dz2=dz2, dw2=dw2, dz1=dz1, dw1=dw1)
    values.update(_autograd(w1, w2, x, y))
    pairs = [("dw1", "autograd_dw1"), ("dw2", "autograd_dw2")]
    pairs += [("dz1", "autograd_dz1"), ("dz2", "autograd_dz2")]
    values["max_abs_diff"] = max(float(np.abs(values[a] - values[b]).max()) for a, b in pairs)
    new_w1, new_w2 = w1 - lr * dw1, w2 - lr * dw2
    loss_after = scratch.cross_entropy(scratch.forward_prop(new_w1, new_w2, x)[3], y)
    values.update(new_w1=new_w1, new_w2=new_w2, loss_after=loss_after)
    return values


def _autograd(w1: np.ndarray, w2: np.ndarray, x: np.ndarray, y: np.ndarray) -> dict:
    """The same forward pass on nnscratch Tensors; ``loss.backward()`` fills the gradients.

    ``z.grad`` is d(loss)/dz; the article's ``dz`` leaves out the mean's 1/m, hence ``* m``.
    """
    m = x.shape[1]
    t1, t2 = ns.tensor(w1, requires_grad=True), ns.tensor(w2, requires_grad=True)
    z1 = t1 @ ns.tensor(x)
    z1.retain_grad()
    z2 = t2 @ z1.sigmoid()
    z2.retain_grad()
    a2, target = z2.sigmoid(), ns.tensor(y)
    loss = -(1 / m) * (target * a2.log() + (1 - target) * (1 - a2).log()).sum()
    loss.backward()
    return {
        "autograd_dw1": t1.grad.numpy(),
        "autograd_dw2": t2.grad.numpy(),
        "autograd_dz1": z1.grad.numpy() * m,
        "autograd_dz2": z2.grad.numpy() * m,
    }


def _jsonable(value):
    return value.tolist() if isinstance(value, np.ndarray) else value


# ---- the text ------------------------------------------------------------------------------------
STEPS = [
    ("Forward pass", [
        ("z1", "z1 = w1 @ x"), ("a1", "a1 = sigmoid(z1)"), ("z2", "z2 = w2 @ a1"),
        ("a2", "a2 = sigmoid(z2)"),
    ]),
    ("Local derivatives", [
        ("dloss_da2", "dloss/da2 = -(y/a2 - (1-y)/(1-a2)) / m"),
        ("sigmoid_prime_z2", "da2/dz2 = sigmoid'(z2) = a2 (1 - a2)"),
        ("sigmoid_prime_z1", "da1/dz1 = sigmoid'(z1) = a1 (1 - a1)"),
    ]),
    ("Gradients by hand (back_prop); dz is m times d(loss)/dz", [
        ("dz2", "dz2 = a2 - y   (= m * dloss/da2 * da2/dz2)"),
        ("dw2", "dw2 = dz2 @ a1.T / m"),
        ("dz1", "dz1 = (w2.T @ dz2) * a1 (1 - a1)"),
        ("dw1", "dw1 = dz1 @ x.T / m"),
    ]),
    ("The same gradients by autograd (nnscratch Tensors, loss.backward())", [
        ("autograd_dz2", "m * z2.grad"), ("autograd_dw2", "w2.grad"),
        ("autograd_dz1", "m * z1.grad"), ("autograd_dw1", "w1.grad"),
    ]),
]  # fmt: skip


def render(values: dict) -> str:
    """The step as text: each section's formulas with their values, then the update."""
    v = values
    lines = [
        f"One training step of the article's network on {v['gate'].upper()}: seed {v['seed']}, "
        f"lr {v['lr']:g}, float64,",
        f"m = {v['m']} examples, one per column; w1 and w2 are np.random.seed({v['seed']}); "
        "rand(...).",
        "",
        format_matrix(v["x"], "  x  ="),
        format_matrix(v["y"], "  y  ="),
        format_matrix(v["w1"], "  w1 ="),
        format_matrix(v["w2"], "  w2 ="),
    ]
    forward, derivatives, by_hand, by_autograd = STEPS
    lines += _section(*forward, v)
    lines.append(f"  loss = -(1/m) sum(y log(a2) + (1-y) log(1-a2)) = {v['loss']:.10f}")
    lines += _section(*derivatives, v) + _section(*by_hand, v) + _section(*by_autograd, v)
    lines += [
        f"  max |autograd - by hand| over dz2, dw2, dz1, dw1 {_difference(v['max_abs_diff'])}",
        "",
        "Update: w = w - lr * dw",
        format_matrix(v["new_w1"], "  w1 ="),
        format_matrix(v["new_w2"], "  w2 ="),
        f"  loss after the step = {v['loss_after']:.10f} (before: {v['loss']:.10f})",
    ]
    return "\n".join(lines)


def _difference(value: float) -> str:
    """``< 1e-12`` for a rounding-level difference (its digits depend on the CPU and BLAS: 0 on
    one machine, 1.11e-16 on another), else ``= value``; ``--json`` keeps the exact value.

    >>> _difference(0.0), _difference(1.1102230246251565e-16), _difference(0.00123456)
    ('< 1e-12', '< 1e-12', '= 0.00123')
    """
    return "< 1e-12" if value < 1e-12 else f"= {value:.3g}"


def _section(title: str, formulas: list[tuple[str, str]], values: dict) -> list[str]:
    lines = ["", title]
    for key, text in formulas:
        lines += [f"  {text}", format_matrix(values[key], "   ")]
    return lines

"""The parity table: every differentiable op against torch and finite differences.

One row per op (or per spelling of one). Each row runs on plain (3, 4) inputs, on transposed
(non-contiguous) inputs, on zero-size (0, 4) inputs where torch allows them, and with a
broadcast second operand where the op broadcasts. ``check`` compares values, dtypes and input
gradients with torch, then runs float64 ``gradcheck``. A last test fails when an op is added
to ``nnscratch.ops`` without a row here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from parity import check


@dataclass
class Row:
    fn: Callable
    kinds: tuple = ("real",)  # one per input: real, pos, prob, bool
    broadcast: bool = False  # the second input may broadcast
    zero: bool = True  # torch accepts zero-size inputs


def _idx(lib, x, k=2):
    return lib.zeros(x.shape[0], k, dtype=lib.int64)


def _labels(lib, x):
    return lib.tensor([i % x.shape[1] for i in range(x.shape[0])], dtype=lib.int64)


F = lambda lib: lib.nn.functional  # noqa: E731
REAL2 = ("real", "real")


def _clipped_bce(lib, p, y):
    """Keras's clipped BCE: one op here, clamp then BCE in torch (p spans the clip's edges)."""
    p = p.sigmoid() * 1.2 - 0.1  # values in (-0.1, 1.1): some are clipped
    if lib.__name__ == "nnscratch":
        return lib.ops.clipped_binary_cross_entropy(p, y, 0.05)
    return F(lib).binary_cross_entropy(p.clamp(0.05, 0.95), y)


def _written(lib, x, y):
    """x's values rewritten in place in the graph (an op's output may be, as in torch)."""
    out = x * 1
    out[:, 1:3] = y[:, :1]  # broadcast over the two columns
    out *= y
    out.copy_(out - 0.5 * x)
    return out


ROWS = {
    # arithmetic
    "add": Row(lambda lib, x, y: lib.add(x, y), ("real", "real"), broadcast=True),
    "sub": Row(lambda lib, x, y: lib.sub(x, y, alpha=2), ("real", "real"), broadcast=True),
    "mul": Row(lambda lib, x, y: x * y, ("real", "real"), broadcast=True),
    "div": Row(lambda lib, x, y: x / y, ("real", "pos"), broadcast=True),
    "neg": Row(lambda lib, x: -x),
    "pow": Row(lambda lib, x, y: x**y, ("pos", "real"), broadcast=True),
    "pow:scalar": Row(lambda lib, x: x**3),
    "matmul": Row(lambda lib, x, y: x @ y.transpose(-1, 0), ("real", "real"), broadcast=True),
    # elementwise
    "exp": Row(lambda lib, x: x.exp()),
    "log": Row(lambda lib, x: x.log(), ("pos",)),
    "sqrt": Row(lambda lib, x: x.sqrt(), ("pos",)),
    "abs": Row(lambda lib, x: x.abs()),
    "sin": Row(lambda lib, x: x.sin()),
    "cos": Row(lambda lib, x: x.cos()),
    "tanh": Row(lambda lib, x: x.tanh()),
    "clamp": Row(lambda lib, x: x.clamp(-0.5, 0.5)),
    "clamp:tensor": Row(lambda lib, x, y: lib.clamp(x, y - 1, y + 1), ("real", "real")),
    "maximum": Row(lambda lib, x, y: lib.maximum(x, y), ("real", "real"), broadcast=True),
    "minimum": Row(lambda lib, x, y: lib.minimum(x, y), ("real", "real"), broadcast=True),
    "where": Row(lambda lib, c, x, y: lib.where(c, x, y), ("bool", "real", "real")),
    # activations
    "sigmoid": Row(lambda lib, x: x.sigmoid()),
    "relu": Row(lambda lib, x: x.relu()),
    "leaky_relu": Row(lambda lib, x: F(lib).leaky_relu(x, 0.2)),
    "elu": Row(lambda lib, x: F(lib).elu(x, 1.5)),
    "selu": Row(lambda lib, x: F(lib).selu(x)),
    "gelu": Row(lambda lib, x: F(lib).gelu(x)),
    "gelu:tanh": Row(lambda lib, x: F(lib).gelu(x, approximate="tanh")),
    "silu": Row(lambda lib, x: F(lib).silu(x)),
    "softplus": Row(lambda lib, x: F(lib).softplus(x, beta=2.0)),
    # softmax family
    "softmax": Row(lambda lib, x: x.softmax(1)),
    "log_softmax": Row(lambda lib, x: x.log_softmax(-1)),
    "logsumexp": Row(lambda lib, x: x.logsumexp(1)),
    # reductions
    "sum": Row(lambda lib, x: x.sum()),
    "sum:dim": Row(lambda lib, x: x.sum(1, keepdim=True)),
    "mean": Row(lambda lib, x: x.mean(1)),
    "var": Row(lambda lib, x: x.var(1)),
    "std": Row(lambda lib, x: x.std(1, correction=0)),
    "max": Row(lambda lib, x: x.max(), zero=False),
    "max:dim": Row(lambda lib, x: x.max(1).values),
    "min": Row(lambda lib, x: x.min(), zero=False),
    "min:dim": Row(lambda lib, x: x.min(1, keepdim=True).values),
    "amax": Row(lambda lib, x: lib.amax(x, 1)),
    "amin": Row(lambda lib, x: lib.amin(x, 1)),
    # movement
    "reshape": Row(lambda lib, x: x.reshape(2, -1)),
    "transpose": Row(lambda lib, x: x.transpose(0, 1)),
    "permute": Row(lambda lib, x: x.unsqueeze(0).permute(2, 0, 1)),
    "squeeze": Row(lambda lib, x: x.unsqueeze(1).squeeze(1)),
    "unsqueeze": Row(lambda lib, x: x.unsqueeze(-1)),
    "flatten": Row(lambda lib, x: x.unsqueeze(0).flatten(1)),
    "expand": Row(lambda lib, x: x[:, :1].expand(-1, 5)),
    "narrow": Row(lambda lib, x: lib.narrow(x, 1, 1, 2)),
    "cat": Row(lambda lib, x, y: lib.cat([x, y * 2], 1), ("real", "real")),
    "stack": Row(lambda lib, x, y: lib.stack([x, y], 1), ("real", "real")),
    "split": Row(lambda lib, x: x.split([1, 3], 1)),
    "chunk": Row(lambda lib, x: x.chunk(2, 1)),
    # indexing
    "index": Row(lambda lib, x: x[:, [0, 0, 2]]),
    "index:slice": Row(lambda lib, x: x[..., 1::2, None]),
    "index:mask": Row(lambda lib, x, m: x[m], ("real", "bool")),
    "index_select": Row(lambda lib, x: lib.index_select(x, 1, lib.tensor([3, 0, 3]))),
    "index_put": Row(
        lambda lib, x, y: lib.index_put(x, (lib.tensor([0, 2]),), y[:1]), REAL2, zero=False
    ),
    "index_put:in_place": Row(_written, REAL2),
    "gather": Row(lambda lib, x: lib.gather(x, 1, _idx(lib, x))),
    "take_along_dim": Row(lambda lib, x: lib.take_along_dim(x, _idx(lib, x, 3), 1)),
    # padding
    "pad": Row(lambda lib, x: F(lib).pad(x, (1, 2), value=0.5)),
    "pad:reflect": Row(lambda lib, x: F(lib).pad(x, (2, 1), mode="reflect"), zero=False),
    "pad:replicate": Row(lambda lib, x: F(lib).pad(x, (1, 3), mode="replicate"), zero=False),
    "pad:circular": Row(lambda lib, x: F(lib).pad(x, (1, 2), mode="circular"), zero=False),
    # losses
    "binary_cross_entropy": Row(
        lambda lib, p, y: F(lib).binary_cross_entropy(p, y), ("prob", "prob"), zero=False
    ),
    "binary_cross_entropy_with_logits": Row(
        lambda lib, x, y: F(lib).binary_cross_entropy_with_logits(x, y),
        ("real", "prob"),
        zero=False,
    ),  # fmt: skip
    "clipped_binary_cross_entropy": Row(_clipped_bce, ("real", "prob"), zero=False),
    "mse_loss": Row(lambda lib, x, y: F(lib).mse_loss(x, y), ("real", "real")),
    "l1_loss": Row(lambda lib, x, y: F(lib).l1_loss(x, y, reduction="sum"), ("real", "real")),
    "huber_loss": Row(lambda lib, x, y: F(lib).huber_loss(x, y, delta=0.5), ("real", "real")),
    "smooth_l1_loss": Row(
        lambda lib, x, y: F(lib).smooth_l1_loss(x, y, beta=0.5), ("real", "real")
    ),
    "cross_entropy": Row(lambda lib, x, y: F(lib).cross_entropy(x, y.softmax(1)), ("real", "real")),
    "cross_entropy:index": Row(
        lambda lib, x: F(lib).cross_entropy(
            x, lib.zeros(x.shape[0], dtype=lib.int64), label_smoothing=0.1
        )
    ),
    "nll_loss": Row(
        lambda lib, x: F(lib).nll_loss(x.log_softmax(1), lib.zeros(x.shape[0], dtype=lib.int64))
    ),
    "kl_div": Row(
        lambda lib, x, y: F(lib).kl_div(x.log_softmax(1), y, reduction="batchmean"),
        ("real", "prob"),
    ),
    "linear": Row(lambda lib, x, w: F(lib).linear(x, w, w[:, 0]), ("real", "real")),
    # copies
    "clone": Row(lambda lib, x: x.clone() * 2),
}

# Ops that are not differentiable or have no row of their own, and why.
NOT_IN_TABLE = {
    "argmax": "integer output",
    "argmin": "integer output",
    "to": "a dtype change; tested in test_autograd_dtypes.py",
}


def _array(kind: str, shape: tuple, rng) -> np.ndarray:
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "prob":
        return rng.uniform(0.05, 0.95, shape)
    if kind == "bool":
        return rng.uniform(size=shape) > 0.5
    return rng.standard_normal(shape)


def _inputs(row: Row, variant: str, rng) -> list[np.ndarray]:
    if variant == "transposed":
        return [_array(k, (4, 3), rng).T for k in row.kinds]
    shape = (0, 4) if variant == "zero" else (3, 4)
    arrays = [_array(k, shape, rng) for k in row.kinds]
    if variant == "broadcast":
        arrays[1] = _array(row.kinds[1], (4,), rng)
    return arrays


def _cases():
    for name, row in ROWS.items():
        variants = ["plain", "transposed"]
        variants += ["zero"] if row.zero else []
        variants += ["broadcast"] if row.broadcast else []
        for variant in variants:
            yield pytest.param(name, variant, id=f"{name}-{variant}")


@pytest.mark.parametrize("name,variant", list(_cases()))
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0:UserWarning")  # torch, var of 0
def test_matches_torch_and_finite_differences(name, variant, rng):
    row = ROWS[name]
    check(row.fn, *_inputs(row, variant, rng), atol=1e-9, rtol=1e-7)


def test_every_differentiable_op_has_a_row():
    modules = [
        "arithmetic", "elementwise", "activation", "softmax", "reduce", "movement", "indexing",
        "padding", "loss", "regression_loss", "classification_loss", "linalg", "cast",
    ]  # fmt: skip
    # (by path: ``nnscratch.ops.softmax`` the attribute is the function, not the module)
    public = {n for m in modules for n in importlib.import_module(f"nnscratch.ops.{m}").__all__}
    covered = {key.split(":")[0] for key in ROWS} | set(NOT_IN_TABLE)
    assert public - covered == set(), f"ops without a parity row: {sorted(public - covered)}"


# Ops with many options (convolution, pooling, normalization, ...) have parity files of their
# own, with the same ``check`` (torch values and gradients, float64 finite differences).
DEDICATED = {
    "conv": "test_ops_conv.py", "pooling": "test_ops_pooling.py",
    "normalization": "test_ops_normalization.py", "embedding": "test_ops_embedding_attention.py",
    "attention": "test_ops_embedding_attention.py", "recurrent": "test_ops_recurrent.py",
    "dropout": "test_nn_layers.py",
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(DEDICATED))
def test_every_op_of_the_other_modules_is_tested_in_its_own_file(module):
    mod = importlib.import_module(f"nnscratch.ops.{module}")
    names = mod.__all__
    text = (Path(__file__).parent / DEDICATED[module]).read_text()
    untested = [n for n in names if n not in text]
    assert names and not untested, f"nnscratch.ops.{module}: no test mentions {untested}"

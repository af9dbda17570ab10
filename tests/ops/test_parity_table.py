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


def _pairs(lib, x):
    """Two distinct column indices per row of ``x``: a scatter without repeated targets."""
    pairs = [[i % x.shape[1], (i + 2) % x.shape[1]] for i in range(x.shape[0])]
    return lib.tensor(pairs, dtype=lib.int64).reshape(-1, 2)


def _scattered(lib, x, y, m):
    """scatter_ and masked_fill_ on an op's output, recorded in the graph as in torch."""
    out = x * 1
    out.scatter_(1, _pairs(lib, x), y[:, :2])
    out.masked_fill_(m, 0.5)
    return out.scatter_add_(0, _idx(lib, x, 4), y * 2)


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
    "concat": Row(lambda lib, x, y: lib.concat([x, y * 2], 0), ("real", "real")),
    "concatenate": Row(lambda lib, x, y: lib.concatenate([x, y * 2], axis=1), ("real", "real")),
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
    # rearranging (compositions of the movement and indexing primitives)
    "repeat": Row(lambda lib, x: x.repeat(2, 1, 3)),
    "tile": Row(lambda lib, x: lib.tile(x, (2,))),
    "repeat_interleave": Row(lambda lib, x: lib.repeat_interleave(x, 2, dim=0)),
    "repeat_interleave:tensor": Row(
        lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 3, 1]), dim=1)
    ),
    "repeat_interleave:flat": Row(lambda lib, x: lib.repeat_interleave(x, 2)),
    "flip": Row(lambda lib, x: lib.flip(x, (0, -1))),
    "fliplr": Row(lambda lib, x: lib.fliplr(x)),
    "flipud": Row(lambda lib, x: lib.flipud(x)),
    "roll": Row(lambda lib, x: lib.roll(x, (1, -5), (0, 1))),
    "roll:flat": Row(lambda lib, x: x.roll(3)),
    "swapaxes": Row(lambda lib, x: lib.swapaxes(x, 0, 1)),
    "swapdims": Row(lambda lib, x: lib.swapdims(x.unsqueeze(0), 0, 2)),
    "movedim": Row(lambda lib, x: lib.movedim(x.unsqueeze(1), (0, 1), (2, 0))),
    "moveaxis": Row(lambda lib, x: lib.moveaxis(x, 0, -1)),
    "unbind": Row(lambda lib, x: lib.unbind(x, 1)),
    "meshgrid": Row(
        lambda lib, x, y: lib.meshgrid(x[0], y[:, 1], indexing="ij"), REAL2, zero=False
    ),
    "meshgrid:xy": Row(
        lambda lib, x, y: lib.meshgrid(x[0], y[:, 1], x[1, :2], indexing="xy"), REAL2, zero=False
    ),
    "contiguous": Row(lambda lib, x: x.t().contiguous() * 2),
    # scatter and masks
    # (torch's backward refuses a src larger than the index, so the rows cut src to it)
    "scatter": Row(lambda lib, x, y: lib.scatter(x, 1, _pairs(lib, x), y[:, :2]), REAL2),
    "scatter:value": Row(lambda lib, x: x.scatter(0, _pairs(lib, x)[:1], value=2.5)),
    "scatter_add": Row(lambda lib, x, y: lib.scatter_add(x, 1, _idx(lib, x, 3), y[:, :3]), REAL2),
    "scatter:in_place": Row(_scattered, ("real", "real", "bool")),
    "masked_fill": Row(lambda lib, x, m: x.masked_fill(m, -1.5), ("real", "bool")),
    "masked_fill:tensor": Row(
        lambda lib, x, y, m: lib.masked_fill(x, m, y.sum()), ("real", "real", "bool")
    ),
    "masked_select": Row(
        lambda lib, x, m: lib.masked_select(x, m[0]), ("real", "bool"), zero=False
    ),
    # sorting (values are gathered: the gradient returns to where each came from)
    "sort": Row(lambda lib, x: lib.sort(x, 1)),
    "sort:descending": Row(lambda lib, x: x.sort(dim=0, descending=True, stable=True)),
    "topk": Row(lambda lib, x: lib.topk(x, 2, dim=1)),
    "topk:smallest": Row(lambda lib, x: x.topk(1, 0, largest=False).values, zero=False),
    "kthvalue": Row(lambda lib, x: lib.kthvalue(x, 3, 1)),
    "median": Row(lambda lib, x: x.median(), zero=False),
    "median:dim": Row(lambda lib, x: lib.median(x, 1, keepdim=True)),
    "mode": Row(lambda lib, x: lib.mode(x, 1)),
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
    # more elementwise math (pointwise, binary_math); the rounding ones have a zero gradient
    "floor": Row(lambda lib, x: x.floor()),
    "ceil": Row(lambda lib, x: lib.ceil(x)),
    "trunc": Row(lambda lib, x: lib.trunc(x)),
    "fix": Row(lambda lib, x: lib.fix(x)),
    "round": Row(lambda lib, x: lib.round(x)),
    "round:decimals": Row(lambda lib, x: x.round(decimals=2)),
    "frac": Row(lambda lib, x: lib.frac(x * 3)),
    "sign": Row(lambda lib, x: lib.sign(x)),
    "sgn": Row(lambda lib, x: x.sgn() + x),  # (torch's gradient of sgn alone is a ZeroTensor)
    "asin": Row(lambda lib, x: lib.asin(x), ("prob",)),
    "acos": Row(lambda lib, x: x.acos(), ("prob",)),
    "atan": Row(lambda lib, x: lib.atan(x)),
    "sinh": Row(lambda lib, x: lib.sinh(x)),
    "cosh": Row(lambda lib, x: x.cosh()),
    "tan": Row(lambda lib, x: lib.tan(x), ("prob",)),
    "log2": Row(lambda lib, x: lib.log2(x), ("pos",)),
    "log10": Row(lambda lib, x: x.log10(), ("pos",)),
    "log1p": Row(lambda lib, x: lib.log1p(x), ("prob",)),
    "expm1": Row(lambda lib, x: lib.expm1(x)),
    "reciprocal": Row(lambda lib, x: x.reciprocal(), ("pos",)),
    "rsqrt": Row(lambda lib, x: lib.rsqrt(x), ("pos",)),
    "square": Row(lambda lib, x: lib.square(x)),
    "nan_to_num": Row(lambda lib, x: lib.nan_to_num(x.log(), nan=0.5)),  # log(x < 0) is nan
    "atan2": Row(lambda lib, x, y: lib.atan2(x, y), REAL2, broadcast=True),
    "arctan2": Row(lambda lib, x, y: lib.arctan2(x, y), REAL2),
    "hypot": Row(lambda lib, x, y: lib.hypot(x, y), REAL2, broadcast=True),
    "fmod": Row(lambda lib, x, y: lib.fmod(x, y), ("real", "pos"), broadcast=True),
    "remainder": Row(lambda lib, x, y: lib.remainder(x, y), ("real", "pos"), broadcast=True),
    "remainder:scalar": Row(lambda lib, x: x % 0.75),
    "lerp": Row(lambda lib, x, y: lib.lerp(x, y, 0.3), REAL2, broadcast=True),
    "lerp:tensor": Row(lambda lib, x, y, w: x.lerp(y, w), ("real", "real", "prob")),
    "addcmul": Row(lambda lib, x, y, z: lib.addcmul(x, y, z, value=0.5), ("real",) * 3),
    "addcdiv": Row(lambda lib, x, y, z: x.addcdiv(y, z, value=-2), ("real", "real", "pos")),
    # reductions and running totals (accumulate)
    "prod": Row(lambda lib, x: x.prod()),
    "prod:dim": Row(lambda lib, x: lib.prod(x, 1, keepdim=True)),
    "prod:zeros": Row(lambda lib, x: (x * (x > 0)).prod(0)),  # exact where elements are 0
    "cumsum": Row(lambda lib, x: lib.cumsum(x, 1)),
    "cumprod": Row(lambda lib, x: x.cumprod(0)),
    "cumprod:zeros": Row(lambda lib, x: lib.cumprod(x * (x > 0), 1)),
    "std_mean": Row(lambda lib, x: lib.std_mean(x, 1)),
    "var_mean": Row(lambda lib, x: lib.var_mean(x, 0, correction=0)),
    # matrices and products (matrix)
    "tril": Row(lambda lib, x: lib.tril(x, 1)),
    "triu": Row(lambda lib, x: x.triu(-1)),
    "trace": Row(lambda lib, x: lib.trace(x)),
    "diag": Row(lambda lib, x: lib.diag(x, 1)),
    "diag:embed": Row(lambda lib, x: lib.diag(x[0], -1), zero=False),
    "outer": Row(lambda lib, x, y: lib.outer(x[0], y[:, 1]), REAL2, zero=False),
    "ger": Row(lambda lib, x, y: lib.ger(x[1], y[2]), REAL2, zero=False),
    "mm": Row(lambda lib, x, y: lib.mm(x, y.t()), REAL2),
    "bmm": Row(lambda lib, x, y: lib.bmm(x.unsqueeze(0), y.t().unsqueeze(0)), REAL2),
    "mv": Row(lambda lib, x, y: x.mv(y[0]), REAL2, zero=False),
    "dot": Row(lambda lib, x, y: lib.dot(x[0], y[1]), REAL2, zero=False),
    "addmm": Row(
        lambda lib, x, y: lib.addmm(y[:, :3], x, y.t(), beta=0.5, alpha=2), REAL2, zero=False
    ),
    # norms (norm; torch.norm is linalg.vector_norm for numbers, as in torch)
    "norm": Row(lambda lib, x: x.norm()),
    "norm:p1": Row(lambda lib, x: lib.norm(x, p=1, dim=1)),
    "norm:inf": Row(lambda lib, x: lib.norm(x, float("inf"), dim=0), zero=False),
    "norm:p3": Row(lambda lib, x: x.norm(3, dim=1, keepdim=True)),
    "norm:fro": Row(lambda lib, x: lib.norm(x, "fro", dim=(0, 1))),
    "norm:nuc": Row(lambda lib, x: lib.norm(x, "nuc"), zero=False),
    "linalg.vector_norm": Row(
        lambda lib, x: lib.linalg.vector_norm(x, -float("inf"), 1), zero=False
    ),
    "linalg.vector_norm:p0.5": Row(lambda lib, x: lib.linalg.vector_norm(x, 0.5, (0, 1))),
    "linalg.matrix_norm": Row(lambda lib, x: lib.linalg.matrix_norm(x, 1), zero=False),
    "linalg.matrix_norm:inf": Row(
        lambda lib, x: lib.linalg.matrix_norm(x, -float("inf")), zero=False
    ),
    "linalg.matrix_norm:2": Row(lambda lib, x: lib.linalg.matrix_norm(x, 2), zero=False),
    "linalg.norm": Row(lambda lib, x: lib.linalg.norm(x, dim=0)),
    "linalg.norm:matrix": Row(lambda lib, x: lib.linalg.norm(x, -2), zero=False),
    # decompositions (decomposition): square matrices cut from the (3, 4) inputs
    "det": Row(lambda lib, x: lib.det(x[:, :3]), zero=False),
    "det:batch": Row(
        lambda lib, x, y: lib.linalg.det(lib.stack([x[:, :3], y[:, 1:]])), REAL2, zero=False
    ),
    "det:singular": Row(
        lambda lib, x, y: x[:, :3].det() + lib.det(x[:, :2] @ y[:2, :3]), REAL2, zero=False
    ),
    "inverse": Row(lambda lib, x: lib.inverse(x[:, :3]), zero=False),
    "linalg.inv": Row(lambda lib, x: lib.linalg.inv(x[:, 1:]), zero=False),
    "linalg.solve": Row(lambda lib, x, y: lib.linalg.solve(x[:, :3], y), REAL2, zero=False),
    "linalg.solve:vector": Row(
        lambda lib, x, y: lib.linalg.solve(x[:, 1:], y[:, 0]), REAL2, zero=False
    ),
    "linalg.solve:right": Row(
        lambda lib, x, y: lib.linalg.solve(x[:, :3], y.t(), left=False), REAL2, zero=False
    ),
    "cross": Row(lambda lib, x, y: lib.cross(x[:, :3], y[:, 1:], dim=1), REAL2),
    "linalg.cross": Row(lambda lib, x, y: lib.linalg.cross(x[:, :3], y[:, :3]), REAL2),
    "svd": Row(lambda lib, x: lib.svd(x)[1], zero=False),
    "linalg.svd": Row(lambda lib, x: lib.linalg.svd(x, full_matrices=False).S, zero=False),
    "linalg.svdvals": Row(lambda lib, x: lib.linalg.svdvals(x.t()), zero=False),
    "linalg.eigvalsh": Row(lambda lib, x: lib.linalg.eigvalsh(x @ x.t()), zero=False),
    "linalg.eigh": Row(lambda lib, x: lib.linalg.eigh(x.t() @ x, UPLO="U")[0], zero=False),
    # copies
    "clone": Row(lambda lib, x: x.clone() * 2),
}

# Ops that are not differentiable or have no row of their own, and why.
NOT_IN_TABLE = {
    "argmax": "integer output",
    "argmin": "integer output",
    "to": "a dtype change; tested in autograd/test_dtypes.py",
    "argsort": "integer output; tested in torch_compat/test_tensor_api.py",
    "unique": "not differentiable (nor in torch); tested in torch_compat/test_tensor_api.py",
    "nonzero": "integer output; tested in torch_compat/test_tensor_api.py",
    "argwhere": "integer output; tested in torch_compat/test_tensor_api.py",
    "bitwise_and": "bool or integer output; tested in torch_compat/test_math.py",
    "bitwise_or": "bool or integer output; tested in torch_compat/test_math.py",
    "bitwise_xor": "bool or integer output; tested in torch_compat/test_math.py",
    "bitwise_not": "bool or integer output; tested in torch_compat/test_math.py",
    "logical_and": "bool or integer output; tested in torch_compat/test_math.py",
    "logical_or": "bool or integer output; tested in torch_compat/test_math.py",
    "logical_xor": "bool or integer output; tested in torch_compat/test_math.py",
    "logical_not": "bool or integer output; tested in torch_compat/test_math.py",
    "isnan": "bool or integer output; tested in torch_compat/test_math.py",
    "isinf": "bool or integer output; tested in torch_compat/test_math.py",
    "isfinite": "bool or integer output; tested in torch_compat/test_math.py",
    "all": "bool or integer output; tested in torch_compat/test_math.py",
    "any": "bool or integer output; tested in torch_compat/test_math.py",
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
        "rearrange", "scatter", "sorting", "pointwise", "binary_math", "accumulate", "matrix",
        "norm", "decomposition", "logical", "exponential",
    ]  # fmt: skip
    # (by path: ``nnscratch.ops.softmax`` the attribute is the function, not the module)
    public = {n for m in modules for n in importlib.import_module(f"nnscratch.ops.{m}").__all__}
    covered = {key.split(":")[0] for key in ROWS} | set(NOT_IN_TABLE)
    assert public - covered == set(), f"ops without a parity row: {sorted(public - covered)}"


# Ops with many options (convolution, pooling, normalization, ...) have parity files of their
# own, with the same ``check`` (torch values and gradients, float64 finite differences); paths
# are relative to tests/.
DEDICATED = {
    "conv": "ops/test_conv.py", "pooling": "ops/test_pooling.py",
    "normalization": "ops/test_normalization.py", "embedding": "ops/test_embedding_attention.py",
    "attention": "ops/test_embedding_attention.py", "recurrent": "ops/test_recurrent.py",
    "dropout": "nn/test_layers.py",
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(DEDICATED))
def test_every_op_of_the_other_modules_is_tested_in_its_own_file(module):
    mod = importlib.import_module(f"nnscratch.ops.{module}")
    names = mod.__all__
    text = (Path(__file__).parents[1] / DEDICATED[module]).read_text()
    untested = [n for n in names if n not in text]
    assert names and not untested, f"nnscratch.ops.{module}: no test mentions {untested}"

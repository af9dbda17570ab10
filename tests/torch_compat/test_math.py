"""torch's math, reductions and linear algebra beyond the parity table: dtypes, NumPy
spellings (axis=, keepdims=), out=, logic ops, in-place forms, linalg's shapes and errors,
and autograd.functional. Values are compared with torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from parity import check, require_torch
from tolerance import assert_close

import nnscratch as ns

torch = require_torch()


def _pair(array):
    """The same array as an nnscratch and a torch tensor."""
    return ns.from_numpy(np.array(array)), torch.from_numpy(np.array(array))


def _same(ours, theirs, **tolerance) -> None:
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)
    assert_close(ours.detach().numpy(), theirs, **tolerance)


# ---- dtypes ---------------------------------------------------------------------------------
INT_CASES = {
    "floor": lambda lib, x: lib.floor(x),
    "ceil": lambda lib, x: lib.ceil(x),
    "round": lambda lib, x: lib.round(x),
    "trunc": lambda lib, x: lib.trunc(x),
    "sign": lambda lib, x: lib.sign(x),
    "square": lambda lib, x: lib.square(x),
    "reciprocal": lambda lib, x: lib.reciprocal(x),
    "log2": lambda lib, x: lib.log2(x),
    "atan": lambda lib, x: lib.atan(x),
    "sinh": lambda lib, x: lib.sinh(x),
    "prod": lambda lib, x: lib.prod(x),
    "prod:dim": lambda lib, x: x.prod(1, keepdim=True),
    "prod:dtype": lambda lib, x: lib.prod(x, 0, dtype=lib.float64),
    "cumsum": lambda lib, x: lib.cumsum(x, 0),
    "cumprod": lambda lib, x: x.cumprod(1),
    "cumsum:dtype": lambda lib, x: x.cumsum(1, dtype=lib.float32),
    "trace": lambda lib, x: lib.trace(x),
    "tril": lambda lib, x: lib.tril(x),
    "diag": lambda lib, x: lib.diag(x),
    "outer": lambda lib, x: lib.outer(x[0], x[1].double()),
    "fmod": lambda lib, x: lib.fmod(x, 3),
    "remainder": lambda lib, x: lib.remainder(x, -3),
    "atan2": lambda lib, x: lib.atan2(x, x + 1),
    "nan_to_num": lambda lib, x: lib.nan_to_num(x),
    "mm": lambda lib, x: lib.mm(x, x.t()),
    "dot": lambda lib, x: lib.dot(x[0], x[1]),
}


@pytest.mark.parametrize("dtype", ["int32", "int64"])
@pytest.mark.parametrize("name", INT_CASES)
def test_integer_inputs_give_torchs_dtype(name, dtype):
    ours, theirs = _pair(np.array([[1, -2, 3], [4, 5, -6], [7, 0, 9]], dtype=dtype))
    fn = INT_CASES[name]
    _same(fn(ns, ours), fn(torch, theirs))


@pytest.mark.parametrize(
    "fn",
    [lambda lib, x: lib.rsqrt(x), lambda lib, x: lib.log10(x), lambda lib, x: lib.expm1(x),
     lambda lib, x: lib.hypot(x, x), lambda lib, x: lib.linalg.det(x), lambda lib, x: x.norm(),
     lambda lib, x: lib.linalg.inv(x), lambda lib, x: lib.prod(x, 1), lambda lib, x: x.cumprod(0),
     lambda lib, x: lib.linalg.svdvals(x), lambda lib, x: lib.linalg.matrix_norm(x, "nuc")],
)  # fmt: skip
def test_float32_stays_float32(fn, rng):
    x = rng.uniform(0.5, 2.0, (3, 3)).astype(np.float32)
    check(fn, x, rtol=1e-5)  # (a few float32 roundings in a row: inv, det, svd)


def test_round_with_decimals_matches_torch(rng):
    ours, theirs = _pair(rng.standard_normal(50) * 1000)
    for decimals in (-2, 0, 1, 3):
        _same(ns.round(ours, decimals=decimals), torch.round(theirs, decimals=decimals))
    with pytest.raises(TypeError, match="round: expected decimals to be an int"):
        ns.round(ours, decimals=1.5)


def test_nan_to_num_defaults_match_torch():
    values = np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32)
    ours, theirs = _pair(values)
    _same(ns.nan_to_num(ours), torch.nan_to_num(theirs))
    _same(ours.nan_to_num(nan=1.0, posinf=2.0), theirs.nan_to_num(nan=1.0, posinf=2.0))


def test_frac_refuses_integers_as_torch():
    with pytest.raises(TypeError, match="frac: expected a floating point tensor"):
        ns.frac(ns.tensor([1, 2]))


# ---- logic, never differentiable ------------------------------------------------------------
LOGIC = {
    "bitwise_and": lambda lib, a, b: lib.bitwise_and(a, b),
    "bitwise_or": lambda lib, a, b: lib.bitwise_or(a, b),
    "bitwise_xor": lambda lib, a, b: lib.bitwise_xor(a, b),
    "bitwise_not": lambda lib, a, b: lib.bitwise_not(a),
    "&": lambda lib, a, b: a & b,
    "|": lambda lib, a, b: (a > 0) | (b > 1),
    "^": lambda lib, a, b: a ^ 5,
    "~": lambda lib, a, b: ~(a > b),
    "logical_and": lambda lib, a, b: lib.logical_and(a, b.float()),
    "logical_or": lambda lib, a, b: lib.logical_or(a, b),
    "logical_xor": lambda lib, a, b: lib.logical_xor(a, b),
    "logical_not": lambda lib, a, b: lib.logical_not(a),
    "all": lambda lib, a, b: lib.all(a),
    "all:dim": lambda lib, a, b: (a > 0).all(dim=1, keepdim=True),
    "any": lambda lib, a, b: lib.any(b, 0),
    "any:dims": lambda lib, a, b: lib.any(a.float(), (0, 1)),
    "%": lambda lib, a, b: a % 3,
}


@pytest.mark.parametrize("name", LOGIC)
def test_logic_matches_torch(name, rng):
    a, b = rng.integers(-4, 5, (2, 3, 4))
    (oa, ta), (ob, tb) = _pair(a), _pair(b)
    _same(LOGIC[name](ns, oa, ob), LOGIC[name](torch, ta, tb))


def test_isnan_isinf_isfinite_match_torch():
    values = np.array([np.nan, np.inf, -np.inf, 0.0, -2.5])
    ours, theirs = _pair(values)
    for name in ("isnan", "isinf", "isfinite"):
        _same(getattr(ns, name)(ours), getattr(torch, name)(theirs))
        _same(getattr(ours, name)(), getattr(theirs, name)())
    ints, tints = _pair(np.array([1, 2]))
    _same(ns.isfinite(ints), torch.isfinite(tints))
    _same(ns.isnan(ints), torch.isnan(tints))


def test_bitwise_refuses_floats():
    with pytest.raises(TypeError, match="bitwise_and: expected integer or bool operands"):
        ns.bitwise_and(ns.ones(2), ns.ones(2))


def test_logic_results_are_outside_the_graph():
    x = ns.ones(2, requires_grad=True)
    assert not ns.isfinite(x).requires_grad and not ns.logical_not(x).requires_grad


# ---- NumPy spellings ------------------------------------------------------------------------
AXIS_FUNCTIONS = [
    "sum", "mean", "std", "var", "max", "min", "argmax", "argmin", "prod", "amax", "amin",
    "logsumexp", "all", "any",
]  # fmt: skip


def _first(result):
    return result[0] if isinstance(result, tuple) else result


NUMPY_SPELLINGS = [{"axis": 1}, {"dim": 0, "keepdims": True}, {"axis": 1, "keepdims": True}]


@pytest.mark.parametrize("name", AXIS_FUNCTIONS)
@pytest.mark.parametrize("kwargs", NUMPY_SPELLINGS)
def test_axis_and_keepdims_spellings(name, kwargs, rng):
    x = rng.standard_normal((3, 4))
    ours, theirs = _pair(x > 0 if name in ("all", "any") else x)
    _same(_first(getattr(ns, name)(ours, **kwargs)), _first(getattr(torch, name)(theirs, **kwargs)))
    _same(_first(getattr(ours, name)(**kwargs)), _first(getattr(theirs, name)(**kwargs)))


def test_axis_spelling_on_cumsum_cat_and_stack(rng):
    ours, theirs = _pair(rng.standard_normal((3, 4)))
    _same(ns.cumsum(ours, axis=1), torch.cumsum(theirs, axis=1))
    _same(ours.cumsum(axis=0), theirs.cumsum(axis=0))
    _same(ns.cat([ours, ours], axis=1), torch.cat([theirs, theirs], axis=1))
    _same(ns.concat([ours, ours], axis=1), torch.concat([theirs, theirs], axis=1))
    _same(ns.concatenate([ours, ours], dim=0), torch.concatenate([theirs, theirs], dim=0))
    _same(ns.stack([ours, ours], axis=2), torch.stack([theirs, theirs], axis=2))


def test_both_spellings_at_once_is_an_error():
    with pytest.raises(TypeError, match="both 'dim' and its NumPy spelling 'axis'"):
        ns.ones(2, 3).sum(dim=0, axis=1)


# ---- out= -----------------------------------------------------------------------------------
OUT_CASES = {
    "add": lambda lib, a, b, out: lib.add(a, b, alpha=2, out=out),
    "sub": lambda lib, a, b, out: lib.sub(a, b, out=out),
    "mul": lambda lib, a, b, out: lib.mul(a, b, out=out),
    "div": lambda lib, a, b, out: lib.div(a, b, out=out),
    "matmul": lambda lib, a, b, out: lib.matmul(a, b.t(), out=out),
    "mm": lambda lib, a, b, out: lib.mm(a, b.t(), out=out),
    "bmm": lambda lib, a, b, out: lib.bmm(a[None], b.t()[None], out=out),
}


@pytest.mark.parametrize("name", OUT_CASES)
def test_out_writes_into_the_given_tensor(name, rng):
    (a, ta), (b, tb) = _pair(rng.standard_normal((3, 4))), _pair(rng.standard_normal((3, 4)))
    out, tout = ns.empty(0, dtype=ns.float64), torch.empty(0, dtype=torch.float64)
    result = OUT_CASES[name](ns, a, b, out)
    assert result is out
    _same(out, OUT_CASES[name](torch, ta, tb, tout))


def test_out_resizes_with_torchs_warning_and_casts_safely():
    out = ns.zeros(5)
    with pytest.warns(UserWarning, match="resized since it had shape"):
        ns.add(ns.ones(2), ns.ones(2), out=out)
    assert out.shape == (2,) and out.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
        ns.mul(ns.ones(2), ns.ones(2), out=ns.zeros(2, dtype=ns.int64))
    widened = ns.zeros(2, dtype=ns.float64)
    ns.add(ns.tensor([1, 2]), 1, out=widened)
    assert widened.tolist() == [2.0, 3.0]


def test_out_refuses_autograd_like_torch():
    a = ns.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="functions with out=... arguments don't support"):
        ns.matmul(a, a, out=ns.empty(0))
    with ns.no_grad():
        assert ns.mul(a, a, out=ns.empty(0)).tolist() == [1.0, 1.0]


# ---- in-place forms -------------------------------------------------------------------------
INPLACE = [
    "floor_", "ceil_", "trunc_", "frac_", "sign_", "sgn_", "sin_", "cos_", "tanh_", "exp_",
    "log_", "sqrt_", "abs_", "neg_", "reciprocal_", "rsqrt_", "square_", "log1p_", "expm1_",
    "asin_", "acos_", "atan_", "sinh_", "cosh_", "tan_", "log2_", "log10_",
]  # fmt: skip


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_forms_match_torch(name, rng):
    ours, theirs = _pair(rng.uniform(0.1, 0.9, (2, 3)))
    assert getattr(ours, name)() is ours
    getattr(theirs, name)()
    _same(ours, theirs)


@pytest.mark.parametrize("name", ns.ops.inplace_functions.__all__)
def test_top_level_inplace_functions_match_torch(name, rng):
    """``torch.sin_(x)`` and its kin: write into ``x`` and return it."""
    ours, theirs = _pair(rng.uniform(0.1, 0.9, (2, 3)))
    assert getattr(ns, name)(ours) is ours
    assert getattr(torch, name)(theirs) is theirs
    _same(ours, theirs)


def test_inplace_forms_with_arguments_and_in_the_graph(rng):
    x = rng.standard_normal((3, 3))

    def run(lib, w):
        y = w * 1
        y.clamp_(-0.5, 0.5).round_(decimals=1)
        y.addcmul_(w, w, value=2).lerp_(w, 0.25).tril_(-1).pow_(2).fmod_(0.7).triu_(-2)
        y.addcdiv_(w, w.exp(), value=0.5).clip_(-1, 1).sin_().atan2_(w).remainder_(0.9).hypot_(w)
        z = w.abs() + 0.5
        z.addmm_(w, w, alpha=0.5).nan_to_num_().cumsum_(0)
        return y.cos() + w.nan_to_num().addmm(w, w, beta=0.5) + z  # (hypot saved y: no y.x_())

    check(run, x)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        ns.ones(2, requires_grad=True).floor_()


# ---- products: torch's shape checks ---------------------------------------------------------
@pytest.mark.parametrize(
    "call,message",
    [(lambda: ns.mm(ns.ones(2, 3), ns.ones(3)), "mm: mat2 must be a 2-D tensor"),
     (lambda: ns.mm(ns.ones(2, 3), ns.ones(2, 3)), r"mm: shapes \(2, 3\) and \(2, 3\)"),
     (lambda: ns.mm(ns.ones(2, 2), ns.ones(2, 2, dtype=ns.float64)), "same dtype"),
     (lambda: ns.bmm(ns.ones(2, 2), ns.ones(2, 2)), "bmm: input must be a 3-D tensor"),
     (lambda: ns.bmm(ns.ones(2, 2, 3), ns.ones(3, 3, 2)), "bmm: expected the same batch size"),
     (lambda: ns.mv(ns.ones(2, 2), ns.ones(3)), "mv: shapes"),
     (lambda: ns.dot(ns.ones(2), ns.ones(3)), "dot: shapes"),
     (lambda: ns.dot(ns.ones(2), ns.ones(2, dtype=ns.float64)), "same dtype"),
     (lambda: ns.trace(ns.ones(2, 2, 2)), "trace: expected a matrix"),
     (lambda: ns.outer(ns.ones(2, 2), ns.ones(2)), "outer: Expected 1-D argument self"),
     (lambda: ns.tril(ns.ones(3)), "tril: input tensor must have at least 2 dimensions"),
     (lambda: ns.addmm(ns.ones(5), ns.ones(2, 3), ns.ones(3, 4)), "addmm: input of shape"),
     (lambda: ns.linalg.det(ns.ones(2, 3)), "square matrices"),
     (lambda: ns.linalg.inv(ns.zeros(2, 2)), "singular"),
     (lambda: ns.linalg.solve(ns.eye(2), ns.ones(3)), "incompatible shapes"),
     (lambda: ns.linalg.cross(ns.ones(4), ns.ones(4)), "must have length 3"),
     (lambda: ns.linalg.norm(ns.ones(2, 2, 2), ord=2), "must be 1D or 2D"),
     (lambda: ns.linalg.matrix_norm(ns.ones(2, 2), ord=3), "Order 3 not supported"),
     (lambda: ns.linalg.vector_norm(ns.tensor([1, 2])), "floating point"),
     (lambda: ns.norm(ns.ones(2, 2, 2), "fro", dim=(0, 1, 2)), "dim must be a 2-tuple")],
)  # fmt: skip
def test_errors_name_the_function_and_what_was_wrong(call, message):
    with pytest.raises((RuntimeError, TypeError, IndexError), match=message):
        call()


def test_products_as_tensor_methods(rng):
    check(lambda lib, a, b: (a.mm(b.t()), a.t().matmul(b), a[0].dot(b[0]), a[0].outer(b[1]),
                             a.diag(), a.trace(), a.triu(1), a[None].bmm(b.t()[None])),
          rng.standard_normal((3, 4)), rng.standard_normal((3, 4)))  # fmt: skip


# ---- norms ----------------------------------------------------------------------------------
NORMS = {
    "norm": lambda lib, x: lib.norm(x),
    "norm:p0": lambda lib, x: lib.norm(x, 0),
    "norm:-inf": lambda lib, x: lib.norm(x, float("-inf"), dim=(0, 2)),
    "norm:keepdim": lambda lib, x: x.norm(2, dim=1, keepdim=True),
    "norm:nuc": lambda lib, x: lib.norm(x, "nuc", dim=(1, 2), keepdim=True),
    "vector_norm:keepdim": lambda lib, x: lib.linalg.vector_norm(x, 1.5, keepdim=True),
    "matrix_norm:fro": lambda lib, x: lib.linalg.matrix_norm(x),
    "matrix_norm:dims": lambda lib, x: lib.linalg.matrix_norm(x, float("inf"), dim=(2, 0)),
    "matrix_norm:-2": lambda lib, x: lib.linalg.matrix_norm(x, -2, keepdim=True),
    "linalg.norm:all": lambda lib, x: lib.linalg.norm(x, keepdim=True),
    "linalg.norm:dims": lambda lib, x: lib.linalg.norm(x, 1, dim=(0, 1)),
}


@pytest.mark.parametrize("name", NORMS)
def test_norms_match_torch(name, rng):
    check(NORMS[name], rng.standard_normal((2, 3, 4)))


def test_norm_dtype_computes_in_that_dtype(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    check(lambda lib, x: lib.norm(x, dim=0, dtype=lib.float64), x, gradcheck=False)


def test_norm_gradient_at_zero_is_zero_as_in_torch():
    # (no gradcheck: at the kink of |x| finite differences do not give torch's convention)
    norms = lambda lib, x: (lib.norm(x, dim=1), x.norm(3), lib.norm(x, 0.5))  # noqa: E731
    check(norms, np.zeros((2, 3)), gradcheck=False)


# ---- decompositions -------------------------------------------------------------------------
def test_linalg_svd_factors_match_torch_up_to_signs(rng):
    x = rng.standard_normal((2, 4, 3))
    ours, theirs = _pair(x)
    for full in (True, False):
        U, S, Vh = ns.linalg.svd(ours, full_matrices=full)
        tU, tS, tVh = torch.linalg.svd(theirs, full_matrices=full)
        assert (U.shape, S.shape, Vh.shape) == (tuple(tU.shape), tuple(tS.shape), tuple(tVh.shape))
        _same(S, tS)
        k = S.shape[-1]
        rebuilt = (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]
        assert_close(rebuilt.numpy(), x)
        signs = np.sign((U.numpy() * tU.numpy()).sum(-2, keepdims=True))
        assert_close(U.numpy() * signs, tU.numpy())


def test_old_svd_returns_v_and_zero_factors_without_uv(rng):
    x = rng.standard_normal((4, 3))
    ours, theirs = _pair(x)
    U, S, V = ns.svd(ours, some=False)
    tU, tS, tV = torch.svd(theirs, some=False)
    assert (U.shape, V.shape) == (tuple(tU.shape), tuple(tV.shape)) == ((4, 4), (3, 3))
    assert_close((U[:, :3] * S) @ V.t(), x)
    U0, S0, V0 = ours.svd(compute_uv=False)
    tU0, _, tV0 = torch.svd(theirs, compute_uv=False)
    _same(U0, tU0)
    _same(V0, tV0)
    _same(S0, tS)


def test_gradient_through_singular_vectors_says_it_is_missing():
    A = ns.tensor([[2.0, 1.0], [0.0, 1.0]], requires_grad=True)
    U, S, Vh = ns.linalg.svd(A)
    S.sum().backward()  # the values have a gradient
    with pytest.raises(NotImplementedError, match="linalg.svd: the gradient through the singular"):
        U.sum().backward()
    with pytest.raises(NotImplementedError, match="linalg.eigh"):
        ns.linalg.eigh(A @ A.t())[1].sum().backward()


def test_eigh_matches_torch(rng):
    m = rng.standard_normal((3, 3))
    ours, theirs = _pair(m + m.T)
    w, V = ns.linalg.eigh(ours)
    tw, tV = torch.linalg.eigh(theirs)
    _same(w, tw)
    assert_close(np.abs(V.numpy()), np.abs(tV.numpy()))


def test_torch_cross_without_dim_uses_the_first_dim_of_size_3(rng):
    a, b = rng.standard_normal((2, 3, 3))
    (oa, ta), (ob, tb) = _pair(a), _pair(b)
    with pytest.warns(UserWarning, match="without specifying the dim"):
        ours = ns.cross(oa, ob)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(ours, torch.cross(ta, tb))


def test_det_and_solve_on_batches_match_torch(rng):
    a, b = rng.standard_normal((2, 2, 3, 3)), rng.standard_normal((3, 2))
    check(lambda lib, a, b: (lib.linalg.det(a), lib.linalg.solve(a, b), lib.inverse(a)), a, b)


def test_linalg_namespace_is_reachable():
    import nnscratch.linalg as linalg

    assert ns.linalg is linalg and "linalg" in dir(ns)
    assert linalg.matmul is ns.matmul
    assert set(linalg.__all__) <= set(dir(torch.linalg))


# ---- autograd.functional --------------------------------------------------------------------
def _f(lib, x, y):
    return (x * y.sin()).sum(0), x.exp() @ y.t()


@pytest.mark.parametrize("tuple_in", [False, True])
def test_jacobian_matches_torch(tuple_in, rng):
    x, y = rng.standard_normal((2, 3, 2))
    ins = (ns.from_numpy(x), ns.from_numpy(y))
    tins = (torch.from_numpy(x), torch.from_numpy(y))
    if tuple_in:
        ours = ns.autograd.functional.jacobian(lambda a, b: _f(ns, a, b), ins)
        theirs = torch.autograd.functional.jacobian(lambda a, b: _f(torch, a, b), tins)
        for row, trow in zip(ours, theirs):
            for o, t in zip(row, trow):
                _same(o, t)
    else:
        ours = ns.autograd.functional.jacobian(lambda a: _f(ns, a, ins[1])[1], ins[0])
        _same(ours, torch.autograd.functional.jacobian(lambda a: _f(torch, a, tins[1])[1], tins[0]))


def test_vjp_and_jvp_match_torch(rng):
    x, y = rng.standard_normal((2, 3, 2))
    v = (rng.standard_normal(2), rng.standard_normal((3, 3)))  # the outputs' shapes
    ins, tins = (ns.from_numpy(x), ns.from_numpy(y)), (torch.from_numpy(x), torch.from_numpy(y))
    vs, tvs = tuple(map(ns.from_numpy, v)), tuple(map(torch.from_numpy, v))
    out, grads = ns.autograd.functional.vjp(lambda a, b: _f(ns, a, b), ins, vs)
    tout, tgrads = torch.autograd.functional.vjp(lambda a, b: _f(torch, a, b), tins, tvs)
    for o, t in zip((*out, *grads), (*tout, *tgrads)):
        _same(o, t)
    out, d = ns.autograd.functional.jvp(lambda a, b: _f(ns, a, b), ins, (ins[1], ins[0]))
    tout, td = torch.autograd.functional.jvp(lambda a, b: _f(torch, a, b), tins, (tins[1], tins[0]))
    for o, t in zip((*out, *d), (*tout, *td)):
        _same(o, t)
    scalar = ns.autograd.functional.vjp(lambda a: (a * a).sum(), ins[0])[1]
    _same(scalar, torch.autograd.functional.vjp(lambda a: (a * a).sum(), tins[0])[1])


def test_functional_refusals_name_the_feature():
    x = ns.ones(2)
    with pytest.raises(NotImplementedError, match="hessian"):
        ns.autograd.functional.hessian(lambda a: a.sum(), x)
    with pytest.raises(NotImplementedError, match=r"jacobian\(create_graph=True\)"):
        ns.autograd.functional.jacobian(lambda a: a, x, create_graph=True)
    with pytest.raises(RuntimeError, match="independent of input 1"):
        ns.autograd.functional.jacobian(lambda a, b: a * 2, (x, x), strict=True)
    with pytest.raises(RuntimeError, match="v can only be None"):
        ns.autograd.functional.vjp(lambda a: a * 2, x)
    unused = ns.autograd.functional.jacobian(lambda a, b: a * 2, (x, x))[1]
    assert unused.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_torch_aliases_match_torch(rng):
    names = ["arcsin", "arccos", "arctan", "fix", "sgn"]
    check(lambda lib, x, y: [getattr(x, n)() for n in names] + [x.arctan2(y), x[0].ger(y[0])],
          rng.uniform(-0.9, 0.9, (2, 3)), rng.uniform(-0.9, 0.9, (2, 3)))  # fmt: skip


UNARY_METHODS = [
    "floor", "ceil", "trunc", "frac", "sign", "asin", "acos", "atan", "sinh", "cosh", "tan",
    "log2", "log10", "log1p", "expm1", "reciprocal", "rsqrt", "square", "nan_to_num", "round",
    "cumprod:1", "cumsum:0", "prod", "norm", "det", "inverse", "trace", "diag", "tril", "triu",
    "isnan", "isinf", "isfinite", "logical_not", "all", "any",
]  # fmt: skip
BINARY_METHODS = [
    "atan2", "fmod", "remainder", "hypot", "logical_and", "logical_or", "logical_xor", "mm",
    "lerp:0.25", "cross:1", "addcmul:", "addcdiv:",
]  # fmt: skip


@pytest.mark.parametrize("spec", UNARY_METHODS)
def test_tensor_methods_of_one_tensor_match_torch(spec, rng):
    name, *arg = spec.split(":")
    ours, theirs = _pair(rng.uniform(0.1, 0.9, (3, 3)))
    args = [int(a) for a in arg]
    _same(getattr(ours, name)(*args), getattr(theirs, name)(*args))


@pytest.mark.parametrize("spec", BINARY_METHODS)
def test_tensor_methods_of_two_tensors_match_torch(spec, rng):
    name, *arg = spec.split(":")
    (a, ta), (b, tb) = _pair(rng.uniform(0.1, 0.9, (3, 3))), _pair(rng.uniform(0.1, 0.9, (3, 3)))
    args = [b, b] if arg == [""] else [b, *(float(x) if "." in x else int(x) for x in arg)]
    targs = [tb, tb] if arg == [""] else [tb, *args[1:]]
    _same(getattr(a, name)(*args), getattr(ta, name)(*targs))


BITWISE_METHODS = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not"]


@pytest.mark.parametrize("name", BITWISE_METHODS)
def test_bitwise_methods_match_torch(name, rng):
    (a, ta), (b, tb) = _pair(rng.integers(0, 9, 5)), _pair(rng.integers(0, 9, 5))
    args, targs = ([], []) if name == "bitwise_not" else ([b], [tb])
    _same(getattr(a, name)(*args), getattr(ta, name)(*targs))

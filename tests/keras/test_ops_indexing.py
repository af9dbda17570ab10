"""Parity of ``keras.ops``' indexing, product and sorting functions (take, where, diagonal,
matmul, einsum, tensordot, sort, unique, vectorize...) against real ``keras.ops`` on the
torch backend: values, dtypes and input gradients (``tests/keras_ops_parity.py``), plus
their errors."""

import numpy as np
import pytest
from keras_ops_parity import Row, check_row, numbered, require_keras

import nnscratch as ns
from nnscratch.keras import ops
from nnscratch.keras.ops import indexing, products, sorting

rng = np.random.default_rng(2103)


def r(*shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def ints(lo, hi, *shape, dtype=np.int32):
    return rng.integers(lo, hi, shape).astype(dtype)


F32 = "Keras narrows a float64 product to float32 and computes it there"
DOT = "(n),(n)->()"
MASK = np.array([[True, False, True, False], [False, True, True, False], [True, True, False, True]])

INDEXING = [
    Row("diag", (r(3),)),
    Row("diag", (r(3),), {"k": 1}),
    Row("diag", (r(3, 4),), {"k": -1}),
    Row("diagflat", (r(2, 2),)),
    Row("diagflat", (r(3),), {"k": -2}),
    Row("diagonal", (r(3, 4),)),
    Row("diagonal", (r(2, 3, 4),), {"offset": 1, "axis1": 1, "axis2": 2}),
    Row("diagonal", (r(3, 2, 4),), {"offset": -1, "axis1": 2, "axis2": 0}),
    Row("get_item", (r(3, 4), (slice(1, None), slice(None, None, 2)))),
    Row("get_item", (r(3, 4), (0, [1, 3, 1]))),
    Row("get_item", (r(3, 4), MASK)),
    Row("get_item", (r(2, 3, 4), (Ellipsis, None, 1))),
    Row("nonzero", (np.array([[0.0, 1.5], [2.0, 0.0]]),), grad=False),
    Row("select", (r(3, 4), r(3, 4), r(3, 4)),
        call=lambda o, a, b, c: o.select([a > 0.5, a < -0.5], [b, c], default=0.0)),
    Row("select", (MASK, ~MASK, r(3, 4), r(3, 4)),
        call=lambda o, m1, m2, b, c: o.select([m1, m2], [b, c], default=-1.0)),
    Row("take", (r(3, 4), np.array([[0, 2], [1, -1]])), {"axis": 1}),
    Row("take", (r(3, 4), np.array([5, 0, 5, 11]))),
    Row("take", (r(4, 3), np.array([3, 0, 3]))),
    Row("take", (r(4, 3), np.array([3, 0, 3])), {"axis": 0}),
    Row("take_along_axis", (r(3, 4), ints(-4, 4, 3, 2)), {"axis": 1}),
    Row("take_along_axis", (r(3, 4), ints(0, 3, 2, 4)), {"axis": 0}),
    Row("take_along_axis", (r(3, 4), ints(0, 12, 5, dtype=np.int64))),
    Row("tril", (r(3, 4),)),
    Row("tril", (r(2, 3, 3),), {"k": -1}),
    Row("triu", (r(3, 4),), {"k": 1}),
    Row("trace", (r(3, 4),)),
    Row("trace", (r(2, 3, 4),), {"offset": 1, "axis1": 1, "axis2": 2}),
    Row("trace", (ints(-3, 3, 3, 3, dtype=np.int8),), grad=False),
    Row("trace", (ints(-3, 3, 3, 3, dtype=np.int64),), grad=False),
    Row("unravel_index", (np.array([5, 7, 0], np.int64), (3, 4)), grad=False),
    Row("unravel_index", (np.array([[1, 5]], np.int32), (2, 3)), grad=False),
    Row("where", (MASK, r(3, 4), r(3, 4))),
    Row("where", (MASK, r(3, 4), 0.0)),
    Row("where", (MASK, ints(0, 5, 3, 4), 2.5), grad=False),
    Row("where", (r(3, 4) > 0,), grad=False),
    Row("isin", (ints(0, 6, 3, 4), np.array([1, 3, 4], np.int32)), grad=False),
    Row("isin", (ints(0, 6, 5), np.array([1, 3], np.int32)), {"invert": True}, grad=False),
]  # fmt: skip

PRODUCTS = [
    Row("cross", (r(4, 3, dtype=np.float32), r(4, 3, dtype=np.float32))),
    Row("cross", (r(2, 3, 2, dtype=np.float32), r(1, 3, 2, dtype=np.float32)), {"axis": 1}),
    Row("cross", (r(4, 3), r(4, 3)), rtol=1e-6, why=F32),
    Row("dot", (r(3, 4, dtype=np.float32), r(4, 2, dtype=np.float32))),
    Row("dot", (r(4, dtype=np.float32), r(4, dtype=np.float32))),
    Row("dot", (r(3, 4, dtype=np.float32), 2.0)),
    Row("dot", (r(3, 4), r(4)), rtol=1e-6, why=F32),
    Row("einsum", ("ij,jk->ik", r(2, 3, dtype=np.float32), r(3, 4, dtype=np.float32)),
        call=lambda o, s, a, b: o.einsum(s, a, b)),
    Row("einsum", ("bij,bjk->bik", r(2, 2, 3), r(2, 3, 4)),
        call=lambda o, s, a, b: o.einsum(s, a, b)),
    Row("einsum", ("ii->i", r(3, 3)), call=lambda o, s, a: o.einsum(s, a)),
    Row("einsum", ("iij->j", r(3, 3, 2)), call=lambda o, s, a: o.einsum(s, a)),
    Row("einsum", ("ij->", r(3, 3)), call=lambda o, s, a: o.einsum(s, a)),
    Row("einsum", ("ij->ji", r(2, 3)), call=lambda o, s, a: o.einsum(s, a)),
    Row("einsum", ("i,j", r(3), r(2)), call=lambda o, s, a, b: o.einsum(s, a, b)),
    Row("einsum", ("i,i->i", np.arange(3, dtype=np.int64), r(3, dtype=np.float16)),
        call=lambda o, s, a, b: o.einsum(s, a, b), grad=False, rtol=1e-3,
        why="int64 with float16 is float16 (torch's promotion, not NumPy's float64)"),
    Row("einsum", ("ij,jk", r(2, 3), r(3, 4)), call=lambda o, s, a, b: o.einsum(s, a, b)),
    Row("einsum", ("...ij,...jk->...ik", r(2, 1, 2, 3), r(4, 3, 2)),
        call=lambda o, s, a, b: o.einsum(s, a, b)),
    Row("einsum", ("ij,jk,kl->il", r(2, 3), r(3, 4), r(4, 2)),
        call=lambda o, s, a, b, c: o.einsum(s, a, b, c)),
    Row("einsum", ("bhqd,bhkd->bhqk", r(2, 2, 3, 4), r(2, 2, 5, 4)),
        call=lambda o, s, a, b: o.einsum(s, a, b)),
    Row("einsum", ("ij,ij->i", ints(-3, 3, 2, 3, dtype=np.int8), ints(-3, 3, 2, 3, dtype=np.int8)),
        call=lambda o, s, a, b: o.einsum(s, a, b), grad=False),
    Row("inner", (r(2, 3, dtype=np.float32), r(4, 3, dtype=np.float32))),
    Row("inner", (r(3, dtype=np.float32), 3.0)),
    Row("kron", (r(2, 3), r(3, 2))),
    Row("kron", (r(2), r(2, 3))),
    Row("kron", (ints(0, 4, 2, 2), r(2, 2, dtype=np.float32))),
    Row("matmul", (r(3, 4, dtype=np.float32), r(4, 2, dtype=np.float32))),
    Row("matmul", (r(2, 1, 3, 4, dtype=np.float32), r(5, 4, 2, dtype=np.float32))),
    Row("matmul", (r(4, dtype=np.float32), r(4, 2, dtype=np.float32))),
    Row("matmul", (r(3, 4), r(4, 2)), rtol=1e-6, why=F32),
    Row("matmul", (ints(-3, 3, 3, 4), ints(-3, 3, 4, 2)), grad=False),
    Row("matmul", (ints(-3, 3, 3, 4, dtype=np.int8), ints(-3, 3, 4, 2, dtype=np.int8)),
        grad=False),
    Row("matmul", (ints(-3, 3, 3, 4), r(4, 2, dtype=np.float32))),
    Row("outer", (r(3), r(2, 2))),
    Row("outer", (ints(0, 3, 3), r(2, dtype=np.float32))),
    Row("tensordot", (r(2, 3, 4, dtype=np.float32), r(3, 4, 5, dtype=np.float32))),
    Row("tensordot", (r(2, 3, dtype=np.float32), r(3, 4, dtype=np.float32)), {"axes": 1}),
    Row("tensordot", (r(2, 3, 4, dtype=np.float32), r(4, 3, dtype=np.float32)),
        {"axes": ([1, 2], [1, 0])}),
    Row("tensordot", (r(3, 4), r(4, 3)), {"axes": (0, 1)}, rtol=1e-6, why=F32),
    Row("vdot", (r(5, dtype=np.float32), r(5, dtype=np.float32))),
    Row("slogdet", (r(3, 3),)),
    Row("slogdet", (r(2, 4, 4),)),
]  # fmt: skip

SORTING = [
    Row("argsort", (r(3, 4),), grad=False),
    Row("argsort", (np.array([2, 1, 2, 0, 1], np.int32),), {"axis": None}, grad=False),
    Row("argsort", (r(3, 4),), {"axis": 0}, grad=False),
    Row("sort", (r(3, 4),)),
    Row("sort", (r(3, 4),), {"axis": 0}),
    Row("sort", (r(3, 4),), {"axis": None}),
    Row("searchsorted", (np.array([1.0, 2.0, 2.0, 5.0]), np.array([0.5, 2.0, 6.0])), grad=False),
    Row("searchsorted", (np.array([1, 2, 2, 5], np.int32), np.array([[2, 3]], np.int32)),
        {"side": "right"}, grad=False),
    Row("unique", (np.array([3, 1, 3, 2, 1], np.int32),), grad=False),
    Row("unique", (np.array([3.0, 1.0, 3.0, 2.0]),),
        {"return_index": True, "return_inverse": True, "return_counts": True}, grad=False),
    Row("unique", (np.array([[1, 2], [3, 4], [1, 2]], np.int32),),
        {"axis": 0, "return_counts": True}, grad=False),
    Row("unique", (np.array([3, 1, 3, 2, 1], np.int32),),
        {"size": 5, "fill_value": -1, "return_counts": True}, grad=False),
    Row("unique", (np.array([3, 1, 3, 2, 1], np.int32),), {"size": 2, "return_index": True},
        grad=False),
    Row("diff", (r(3, 5),)),
    Row("diff", (r(4, 3),), {"n": 2, "axis": 0}),
    Row("diff", (ints(-5, 5, 6),), grad=False),
    Row("vectorize", (r(3), r(2, 1)),
        call=lambda o, a, b: o.vectorize(lambda u, v: u * v + u)(a, b)),
    Row("vectorize", (r(4, 3), r(3)),
        call=lambda o, a, b: o.vectorize(lambda u, v: (u * v).sum(), signature=DOT)(a, b)),
]  # fmt: skip

ROWS = numbered(INDEXING + PRODUCTS + SORTING)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_parity_with_keras(row):
    check_row(row)


@pytest.mark.parametrize("kth, axis", [(0, -1), (2, -1), (4, 1), (1, 0), (3, None)])
def test_argpartition_partitions_as_keras(kth, axis):
    # Keras fixes the first kth + 1 positions (the smallest values, in order) and leaves the
    # order of the rest to torch.topk's tie-breaking: compare what is fixed, and the sets.
    keras, torch = require_keras()
    x = rng.permutation(30).reshape(5, 6).astype(np.int32)
    ours = ops.argpartition(x, kth, axis=axis).numpy()
    theirs = keras.ops.argpartition(torch.from_numpy(x), kth, axis=axis).numpy()
    assert ours.dtype == theirs.dtype == np.int32
    flat = axis is None
    values = x.ravel() if flat else x
    ours_v = np.take_along_axis(values, ours, axis=0 if flat else axis)
    theirs_v = np.take_along_axis(values, theirs, axis=0 if flat else axis)
    ours_v, theirs_v = (np.moveaxis(v, 0 if flat else axis, -1) for v in (ours_v, theirs_v))
    np.testing.assert_array_equal(ours_v[..., : kth + 1], theirs_v[..., : kth + 1])
    np.testing.assert_array_equal(np.sort(ours_v, -1), np.sort(theirs_v, -1))


def test_take_of_the_flattened_tensor_counts_negative_indices_from_its_end():
    # Keras's torch backend wraps negative indices by x.shape[0] even when it flattens x
    # (axis=None); NumPy, and this take, wrap by the flattened size.
    x = r(3, 4)
    np.testing.assert_array_equal(ops.take(x, np.array([-2, 1])).numpy(), np.take(x, [-2, 1]))


def test_einsum_matches_numpy_on_more_forms():
    a, b, c = r(2, 3, 3), r(3, 4), r(2, 4)
    cases = [("bii->b", a), ("bij,jk,bk->bi", a, b, c), ("...ii", a), ("bij,bij->", a, a)]
    for spec, *xs in cases:
        np.testing.assert_allclose(ops.einsum(spec, *xs).numpy(), np.einsum(spec, *xs),
                                   rtol=1e-12, atol=1e-12)  # fmt: skip


def test_slogdet_gradient_is_the_inverse_transpose():
    # d log|det A| / dA = A^-T (Keras's torch backend gives the same; here checked by hand).
    a = ns.tensor(r(3, 3), requires_grad=True)
    ops.slogdet(a)[1].backward()
    np.testing.assert_allclose(a.grad.numpy(), np.linalg.inv(a.detach().numpy()).T, rtol=1e-10)


def test_cross_with_its_own_axes_is_numpys():
    # Keras's torch backend refuses axisa/axisb/axisc; NumPy's meaning is kept here.
    a, b = r(3, 4), r(4, 3)
    out = ops.cross(a, b, axisa=0, axisb=1, axisc=0)
    np.testing.assert_allclose(out.numpy(), np.cross(a, b, axisa=0, axisb=1, axisc=0),
                               rtol=1e-6)  # fmt: skip


def test_every_name_is_the_module_function():
    for module in (indexing, products, sorting):
        for name in module.__all__:
            assert getattr(ops, name) is getattr(module, name), name
            assert getattr(ops.numpy, name) is getattr(module, name), name


def test_each_name_has_a_parity_row():
    named = {row.name for row in ROWS} | {"argpartition"}
    assert set(indexing.__all__) | set(products.__all__) | set(sorting.__all__) <= named


@pytest.mark.parametrize(
    "call, match, error",
    [
        (lambda: ops.diagonal(np.ones(3)), "diagonal", ValueError),
        (lambda: ops.diagonal(np.ones((2, 2)), axis1=1, axis2=1), "diagonal", ValueError),
        (lambda: ops.diag(np.ones((2, 2, 2))), "diag", ValueError),
        (lambda: ops.take(np.ones((2, 3)), np.array([3]), axis=0), "take", IndexError),
        (lambda: ops.take(np.ones((2, 3)), np.array([0]), axis=2), "take: axis 2", ValueError),
        (lambda: ops.take_along_axis(np.ones((2, 3)), np.array([0]), axis=1), "take_along_axis",
         ValueError),
        (lambda: ops.select([np.ones(2) > 0], []), "select", ValueError),
        (lambda: ops.matmul(np.ones((2, 3)), np.ones((2, 3))), "matmul", Exception),
        (lambda: ops.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=1), "tensordot",
         ValueError),
        (lambda: ops.tensordot(np.ones(3), np.ones(3)), "tensordot: axes=2", ValueError),
        (lambda: ops.einsum("ij,jk->ik", np.ones((2, 3))), "einsum", ValueError),
        (lambda: ops.einsum("ijk->i", np.ones((2, 3))), "einsum", ValueError),
        (lambda: ops.einsum("ij->k", np.ones((2, 3))), "einsum", ValueError),
        (lambda: ops.cross(np.ones((2, 4)), np.ones((2, 4))), "cross", ValueError),
        (lambda: ops.vdot(np.ones(3), np.ones(4)), "vdot", ValueError),
        (lambda: ops.slogdet(np.ones((2, 3))), "slogdet", ValueError),
        (lambda: ops.searchsorted(np.ones((2, 2)), np.ones(2)), "searchsorted", ValueError),
        (lambda: ops.searchsorted(np.ones(2), np.ones(2), side="middle"), "searchsorted",
         ValueError),
        (lambda: ops.argpartition(np.ones(3), 3), "argpartition", ValueError),
        (lambda: ops.sort(np.ones((2, 3)), axis=2), "sort: axis 2", ValueError),
        (lambda: ops.diff(np.ones(3), axis=1), "diff", ValueError),
        (lambda: ops.vectorize(np.add, signature="(n)->()")(np.ones(2), np.ones(2)),
         "vectorize", ValueError),
    ],
)  # fmt: skip
def test_bad_input_names_the_function(call, match, error):
    with pytest.raises(error, match=match):
        call()

"""Movement ops against torch: reshape, transpose, permute, squeeze, unsqueeze, flatten, expand,
narrow, cat, stack, split, chunk and pad (values, dtypes, gradients, finite differences)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, require_torch

import nnscratch as ns

SETTINGS = settings(max_examples=25, deadline=None)


def F_pad(lib):
    """``nn.functional.pad`` of either library."""
    return lib.nn.functional.pad


# ---- reshape / view ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, target",
    [((3, 4), (4, 3)), ((3, 4), (-1,)), ((2, 3, 4), (4, -1, 2)), ((6,), (1, 6, 1)),
     ((), (1, 1)), ((1,), ()), ((0, 3), (3, 0)), ((0, 3), (-1, 3)), ((2, 0), (5, 0, 2)),
     ((2, 0, 3), (-1, 3))],
)  # fmt: skip
def test_reshape(shape, target, rng):
    check(lambda lib, x: x.reshape(target), rng.standard_normal(shape))
    check(lambda lib, x: lib.reshape(x, target), rng.standard_normal(shape))


def test_reshape_of_transposed_and_view(rng):
    a = rng.standard_normal((3, 4))
    check(lambda lib, x: x.reshape(2, 6), a.T)
    check(lambda lib, x: x.view(-1, 3) * 2.0, a)
    check(lambda lib, x: x.flatten().reshape(4, 3) * x, a.T)  # a node used twice


def test_reshape_keeps_float32(rng):
    check(lambda lib, x: x.reshape(-1), rng.standard_normal((2, 3)).astype(np.float32))


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4), data=st.data())
def test_reshape_hypothesis(shape, data):
    target = list(data.draw(st.permutations(shape)))
    if target and np.prod(target) > 0:
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    check(lambda lib, x: x.reshape(tuple(target)), np.arange(float(np.prod(shape))).reshape(shape))


@pytest.mark.parametrize(
    "shape, target, match",
    [((3, 4), (5, 2), r"\(5, 2\).*\(3, 4\)"), ((3, 4), (-1, -1), "only one dimension"),
     ((0, 3), (-1, 0), "ambiguous"), ((3, 4), (-2, 6), "invalid size -2"),
     ((3, 4), (-1, 0), r"\(-1, 0\) is invalid.*12 elements")],
)  # fmt: skip
def test_reshape_errors(shape, target, match):
    with pytest.raises(RuntimeError, match=match):
        ns.zeros(shape).reshape(target)


# ---- transpose / permute ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, d0, d1",
    [((3, 4), 0, 1), ((2, 3, 4), 0, -1), ((2, 3, 4), 1, 1), ((), 0, -1), ((0, 2), 1, 0)],
)
def test_transpose(shape, d0, d1, rng):
    check(lambda lib, x: x.transpose(d0, d1), rng.standard_normal(shape))
    check(lambda lib, x: lib.transpose(x, d0, d1), rng.standard_normal(shape))


def test_t_and_T_and_mT(rng):
    a = rng.standard_normal((2, 3, 4))
    check(lambda lib, x: x.T, a[0])  # torch deprecates .T beyond 2-D
    check(lambda lib, x: x.mT, a)
    check(lambda lib, x: x.t(), a[0].T)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=3), data=st.data())
def test_permute_hypothesis(shape, data):
    dims = tuple(data.draw(st.permutations(range(len(shape)))))
    dims = tuple(d - len(shape) if data.draw(st.booleans()) else d for d in dims)
    a = np.arange(float(np.prod(shape))).reshape(shape)
    check(lambda lib, x: x.permute(dims), a)
    check(lambda lib, x: lib.permute(x, dims), a.T)


@pytest.mark.parametrize(
    "dims, match",
    [((0,), "one entry per dimension"), ((0, 0), "duplicate"), ((0, 2), "out of range")],
)
def test_permute_errors(dims, match):
    with pytest.raises((RuntimeError, IndexError), match=match):
        ns.zeros(2, 3).permute(dims)


def test_transpose_error_names_range():
    with pytest.raises(IndexError, match=r"\[-2, 1\].*got 2"):
        ns.zeros(3, 4).transpose(0, 2)


# ---- squeeze / unsqueeze / flatten ---------------------------------------------------------
@pytest.mark.parametrize(
    "shape, dim",
    [((1, 3, 1), None), ((1, 3, 1), 0), ((1, 3, 1), -1), ((1, 3, 1), 1), ((1, 3, 1), (0, 2)),
     ((1, 3, 1), (0, 1)), ((), None), ((), 0), ((1, 0, 1), None), ((2, 3), None)],
)  # fmt: skip
def test_squeeze(shape, dim, rng):
    a = rng.standard_normal(shape)
    check(lambda lib, x: x.squeeze() if dim is None else x.squeeze(dim), a)


@pytest.mark.parametrize(
    "shape, dim", [((2, 3), 0), ((2, 3), 2), ((2, 3), -1), ((2, 3), -3), ((), 0)]
)
def test_unsqueeze(shape, dim, rng):
    check(lambda lib, x: lib.unsqueeze(x, dim), rng.standard_normal(shape))


@pytest.mark.parametrize(
    "shape, start, end",
    [((2, 3, 4), 0, -1), ((2, 3, 4), 1, -1), ((2, 3, 4), 0, 1), ((2, 3, 4), 1, 1), ((), 0, -1),
     ((2, 0, 3), 1, 2)],
)  # fmt: skip
def test_flatten(shape, start, end, rng):
    check(lambda lib, x: lib.flatten(x, start, end), rng.standard_normal(shape))
    check(lambda lib, x: x.flatten(start, end), rng.standard_normal(shape).T)


def test_shape_errors():
    with pytest.raises(RuntimeError, match="start_dim.*cannot come after end_dim"):
        ns.zeros(2, 3, 4).flatten(2, 1)
    with pytest.raises(IndexError, match=r"\[-3, 2\].*got 3"):
        ns.zeros(1, 2).unsqueeze(3)
    with pytest.raises(RuntimeError, match="more than once"):
        ns.zeros(1, 2).squeeze((0, 0))


# ---- expand -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, sizes",
    [((3, 1), (3, 4)), ((3, 1), (2, -1, 4)), ((1,), (5,)), ((), (2, 3)), ((2, 1), (2, 0)),
     ((1, 3, 1), (4, 2, 3, 5)), ((2, 3), (2, 3))],
)  # fmt: skip
def test_expand(shape, sizes, rng):
    check(lambda lib, x: x.expand(*sizes), rng.standard_normal(shape))


@SETTINGS
@given(data=st.data())
def test_expand_hypothesis(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    other = data.draw(hnp.broadcastable_shapes(shape, min_dims=len(shape), max_dims=4))
    target = np.broadcast_shapes(shape, other)
    lead = len(target) - len(shape)
    sizes = tuple(-1 if i >= lead and data.draw(st.booleans()) else n for i, n in enumerate(target))
    check(lambda lib, x: x.expand(sizes) * 1.5, np.arange(float(np.prod(shape))).reshape(shape))


def test_expand_as_and_transposed(rng):
    check(
        lambda lib, x, y: x.expand_as(y) * y,
        rng.standard_normal((3, 1)),
        rng.standard_normal((2, 3, 4)),
    )
    check(lambda lib, x: x.expand(2, 4, 3), rng.standard_normal((1, 3)).T.T)


@pytest.mark.parametrize(
    "shape, sizes, match",
    [((2, 3), (2, 4), r"expanded size \(4\).*existing size \(3\)"),
     ((2, 1), (-1, 2, 4), "leading dimension"), ((2, 1), (2,), "number of sizes")],
)  # fmt: skip
def test_expand_errors(shape, sizes, match):
    with pytest.raises(RuntimeError, match=match):
        ns.zeros(shape).expand(sizes)


# ---- cat / stack ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shapes, dim",
    [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 0)], 1), ([(2, 3, 4)] * 3, -1), ([(5,)], 0),
     ([(2, 3), (0,), (1, 3)], 0), ([(0,), (0,)], 0), ([(3,), (0,)], 0), ([(0,), (2, 2)], 1)],
)  # fmt: skip
def test_cat(shapes, dim, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    check(lambda lib, *xs: lib.cat(xs, dim), *arrays)
    check(lambda lib, *xs: lib.cat(list(xs), dim=dim), *arrays)


def test_cat_promotes_dtypes(rng):
    a = rng.standard_normal((2, 3))
    check(lambda lib, x, y: lib.cat([x, y]), a.astype(np.float32), a)  # float32 + float64
    check(lambda lib, x, y: lib.cat([x, y], 1), a.astype(np.float32), np.ones((2, 2), np.int64))
    check(
        lambda lib, x, y: lib.cat([x, y]),
        np.ones((2, 2), np.int8),
        np.ones((1, 2), np.uint8),
        grad=False,
    )
    check(lambda lib, x, y: lib.cat([x, y]), np.ones(2, np.int64), np.ones(3, bool), grad=False)
    check(lambda lib, x, y: lib.cat([x, y]), a.astype(np.float32), a[:1].astype(np.float32))
    check(lambda lib, x, y: lib.cat([x, y]), a.astype(np.float32), np.zeros(0))  # skipped, counts


def test_cat_transposed(rng):
    check(
        lambda lib, x, y: lib.cat([x, y], 1),
        rng.standard_normal((3, 2)).T,
        rng.standard_normal((2, 2)),
    )


@pytest.mark.parametrize(
    "tensors, dim, error, match",
    [([(2, 3), (2, 4)], 0, RuntimeError, r"except in dimension 0.*\(2, 4\).*tensor 1"),
     ([(2, 3), (2,)], 0, RuntimeError, "same number of dimensions"),
     ([(), ()], 0, RuntimeError, "zero-dimensional tensor \\(at position 0\\)"),
     ([], 0, ValueError, "non-empty"), ([(2, 3)], 2, IndexError, "out of range")],
)  # fmt: skip
def test_cat_errors(tensors, dim, error, match):
    with pytest.raises(error, match=match):
        ns.cat([ns.zeros(s) for s in tensors], dim)


def test_cat_rejects_non_tensors():
    with pytest.raises(TypeError, match="element 1 is list"):
        ns.cat([ns.zeros(2), [1.0, 2.0]])
    with pytest.raises(TypeError, match="list or tuple of Tensors"):
        ns.cat(ns.zeros(2, 2))


@pytest.mark.parametrize(
    "shape, n, dim", [((2, 3), 3, 0), ((2, 3), 2, 2), ((2, 3), 2, -1), ((), 4, 0), ((0, 2), 2, 1)]
)
def test_stack(shape, n, dim, rng):
    arrays = [rng.standard_normal(shape) for _ in range(n)]
    check(lambda lib, *xs: lib.stack(xs, dim), *arrays)


def test_stack_dtypes_and_errors(rng):
    check(
        lambda lib, x, y: lib.stack([x, y], 1),
        rng.standard_normal(3).astype(np.float32),
        np.arange(3),
    )
    with pytest.raises(RuntimeError, match=r"equal size.*\(2, 3\) at entry 0.*\(2, 4\) at entry 1"):
        ns.stack([ns.zeros(2, 3), ns.zeros(2, 4)])
    with pytest.raises(ValueError, match="non-empty"):
        ns.stack([])
    with pytest.raises(IndexError, match=r"\[-3, 2\]"):
        ns.stack([ns.zeros(2, 3)], dim=3)


# ---- split / chunk / narrow -------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape, split, dim",
    [((5, 2), 2, 0), ((5, 2), 5, 0), ((5, 2), 7, 0), ((5, 2), 1, 1), ((2, 7), 3, -1),
     ((5, 2), [1, 4], 0), ((5, 2), (0, 2, 0, 3), 0), ((0, 3), 2, 0), ((0, 3), 0, 0),
     ((2, 0), [0, 0], 1)],
)  # fmt: skip
def test_split(shape, split, dim, rng):
    a = rng.standard_normal(shape)
    check(lambda lib, x: lib.split(x, split, dim), a)
    check(lambda lib, x: x.split(split, dim=dim), a.T.T)


@pytest.mark.parametrize("size", [0, 1, 2, 5, 6, 7])
@pytest.mark.parametrize("chunks", [1, 2, 3, 4, 5, 8])
def test_chunk_sizes(size, chunks, rng):
    a = rng.standard_normal((2, size))
    check(lambda lib, x: lib.chunk(x, chunks, 1), a)
    check(lambda lib, x: x.chunk(chunks, dim=-1), a)


def test_split_pieces_are_separate_nodes(rng):
    """Each piece feeds its own gradient back into the shared input."""
    check(
        lambda lib, x: [p * (i + 1.0) for i, p in enumerate(x.split(2))],
        rng.standard_normal((5, 3)),
    )
    check(lambda lib, x: x.chunk(2)[1] * x.chunk(2)[0], rng.standard_normal((4, 3)))


@pytest.mark.parametrize(
    "dim, start, length", [(1, 0, 2), (1, -2, 2), (0, 1, 1), (1, 5, 0), (-1, 3, 2)]
)
def test_narrow(dim, start, length, rng):
    check(lambda lib, x: lib.narrow(x, dim, start, length), rng.standard_normal((2, 5)))


def test_split_chunk_narrow_errors():
    x = ns.zeros(4, 3)
    with pytest.raises(RuntimeError, match=r"sum exactly to 4.*\[1, 2\]"):
        x.split([1, 2])
    with pytest.raises(RuntimeError, match="only be 0 if"):
        x.split(0)
    with pytest.raises(RuntimeError, match="non-negative"):
        x.split(-1)
    with pytest.raises(RuntimeError, match="non-negative"):
        x.split([5, -1])
    with pytest.raises(RuntimeError, match="greater than 0, got 0"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="at least 1 dimension"):
        ns.zeros(()).split(1)
    with pytest.raises(RuntimeError, match="size 3"):
        ns.narrow(x, 1, 2, 2)
    with pytest.raises(RuntimeError, match="0-d"):
        ns.narrow(ns.zeros(()), 0, 0, 1)


# ---- pad ----------------------------------------------------------------------------------------
CONSTANT_PADS = [
    (1, 2),
    (0, 0),
    (2, 0, 0, 1),
    (-1, 2),
    (-2, -1),
    (-3, 0),
    (1, 1, 1, 1, 1, 1),
    (1, -1, -2, 3),
]


@pytest.mark.parametrize("pad", CONSTANT_PADS)
def test_pad_constant(pad, rng):
    a = rng.standard_normal((3, 3, 3))
    check(lambda lib, x: F_pad(lib)(x, pad), a)
    check(lambda lib, x: F_pad(lib)(x, pad, "constant", -1.5), a.T)


def test_pad_constant_dtypes_and_empty(rng):
    check(
        lambda lib, x: F_pad(lib)(x, (1, 1), value=2.5),
        rng.standard_normal((2, 3)).astype(np.float32),
    )
    check(lambda lib, x: F_pad(lib)(x, (1, 1), value=2.7), np.arange(6).reshape(2, 3), grad=False)
    check(lambda lib, x: F_pad(lib)(x, (2, 1, 0, 1)), np.ones((0, 2, 3)))
    check(lambda lib, x: F_pad(lib)(x, ()), rng.standard_normal(()))


PADS_1D = [(1, 2), (2, 0), (0, 3), (-1, 2), (2, -1), (-2, -1), (4, 4), (-4, 3)]
PADS_2D = [(1, 1, 2, 0), (0, 2, 1, -1), (2, 2, 2, 2)]
PADS_3D = [(1, 0, 1, 2, 0, 1), (-1, 1, 1, 1, 1, -1)]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad", PADS_1D + PADS_2D + PADS_3D)
@pytest.mark.parametrize("batched", [True, False])
def test_pad_modes(mode, pad, batched, rng):
    shape = ((2,) if batched else ()) + (2,) + (5,) * (len(pad) // 2)
    if mode == "circular" and pad == (4, 4):
        pad = (5, 3)
    if mode == "circular" and pad == (-4, 3):
        pad = (-2, 3)  # torch wraps what is left after cropping, so at most 3 here
    check(lambda lib, x: F_pad(lib)(x, pad, mode), rng.standard_normal(shape))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_transposed_and_float32(mode, rng):
    check(lambda lib, x: F_pad(lib)(x, (2, 1), mode), rng.standard_normal((4, 3, 2)).T)
    check(
        lambda lib, x: F_pad(lib)(x, (1, 2, 2, 1), mode),
        rng.standard_normal((1, 3, 4)).astype(np.float32),
    )
    check(lambda lib, x: F_pad(lib)(x, (1, 2), mode), np.arange(10).reshape(2, 5), grad=False)
    check(lambda lib, x: F_pad(lib)(x, (1, 2), mode), np.ones((0, 2, 3)))  # empty batch


def test_pad_hand_computed():
    """Reflect excludes the edge, replicate repeats it, circular wraps (independent of torch)."""
    x = ns.arange(5.0).reshape(1, 5)
    assert ns.nn.functional.pad(x, (2, 1), "reflect").tolist() == [[2, 1, 0, 1, 2, 3, 4, 3]]
    assert ns.nn.functional.pad(x, (2, 1), "replicate").tolist() == [[0, 0, 0, 1, 2, 3, 4, 4]]
    assert ns.nn.functional.pad(x, (2, 1), "circular").tolist() == [[3, 4, 0, 1, 2, 3, 4, 0]]
    x.requires_grad_()
    ns.nn.functional.pad(x, (2, 1), "reflect").sum().backward()
    assert x.grad.tolist() == [[1, 2, 2, 2, 1]]


@pytest.mark.parametrize(
    "shape, pad, mode, kwargs, error, match",
    [((2, 3), (1,), "constant", {}, RuntimeError, "divisible by 2"),
     ((2, 3), (1,) * 6, "constant", {}, RuntimeError, "two times"),
     ((2, 3), (-2, -2), "constant", {}, RuntimeError, "crops more than the size 3"),
     ((2, 3), (1.5, 1), "constant", {}, TypeError, "tuple of ints"),
     ((2, 3), (1, 1), "foo", {}, NotImplementedError, "unrecognised padding mode 'foo'"),
     ((2, 3), (1, 1), "reflect", {"value": 1.0}, ValueError, "does not take a value"),
     ((5,), (1, 1), "reflect", {}, NotImplementedError, "2-D or 3-D"),
     ((2, 3), (1, 1, 1, 1), "replicate", {}, NotImplementedError, "3-D or 4-D"),
     ((1, 2, 3), (3, 0), "reflect", {}, RuntimeError, "smaller than the dimension size 3"),
     ((1, 2, 3), (0, 4), "circular", {}, RuntimeError, "more than once"),
     ((1, 0, 3), (1, 1), "replicate", {}, RuntimeError, "non-empty"),
     ((1, 2, 3), (-2, -1), "replicate", {}, RuntimeError, "leaves nothing")],
)  # fmt: skip
def test_pad_errors(shape, pad, mode, kwargs, error, match):
    with pytest.raises(error, match=match):
        ns.nn.functional.pad(ns.zeros(shape), pad, mode, **kwargs)


def test_pad_errors_agree_with_torch():
    """Each case we reject, torch rejects too."""
    torch = require_torch()
    cases = [((1, 2, 3), (3, 0), "reflect"), ((1, 2, 3), (0, 4), "circular"),
             ((5,), (1, 1), "reflect"), ((1, 0, 3), (1, 1), "replicate"),
             ((1, 2, 3), (-2, -1), "replicate")]  # fmt: skip
    for shape, pad, mode in cases:
        with pytest.raises((RuntimeError, NotImplementedError)):
            torch.nn.functional.pad(torch.zeros(shape), pad, mode)

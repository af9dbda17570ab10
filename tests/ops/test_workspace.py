"""The ops' reusable memory: scratch temporaries and recycled arrays never alias live data."""

import gc

import numpy as np

from nnscratch.ops import workspace

LARGE = (4, 2**15)  # float32: 512 KiB, past the size from which ``empty`` lends recycled memory


def test_a_recycled_buffer_waits_for_the_last_view():
    a = workspace.empty(LARGE, np.float32)
    a[...] = 1
    view = a.reshape(-1)[2:]  # NumPy's view of a view: its base is not ``a``
    del a
    gc.collect()
    b = workspace.empty(LARGE, np.float32)
    b[...] = 7
    assert not np.shares_memory(view, b)
    assert (view == 1).all()


def test_a_dead_arrays_buffer_is_handed_out_again():
    workspace._recycler.free.clear()  # (other tests' buffers could fit too)
    a = workspace.empty(LARGE, np.float32)
    address = a.ctypes.data
    del a
    gc.collect()
    assert workspace.empty(LARGE, np.float32).ctypes.data == address  # no page faults


def test_scratch_is_reused_per_role_and_recycled_arrays_are_plain_arrays():
    first = workspace.scratch("test-role", (8,), np.float64)
    again = workspace.scratch("test-role", (2, 4), np.float64)
    assert np.shares_memory(first, again)
    assert not np.shares_memory(first, workspace.scratch("other-role", (8,), np.float64))
    r = workspace.empty(LARGE, np.float64)
    assert type(r) is np.ndarray and r.flags.writeable and r.flags.c_contiguous


def test_empty_lends_large_arrays_recycled_memory_and_small_ones_fresh():
    large = (workspace._LARGE // 4,)  # float32 elements at the threshold
    a = workspace.empty(large, np.float32)
    address = a.ctypes.data
    assert a.base is not None  # lent: made from a loan
    del a
    gc.collect()
    assert workspace.empty(large, np.float32).ctypes.data == address
    small = workspace.empty((8,), np.float32)
    assert small.base is None and small.flags.owndata
    z = workspace.zeros((3, workspace._LARGE // 4), np.float32)
    assert z.shape == (3, workspace._LARGE // 4) and not z.any()


def test_an_ops_output_in_recycled_memory_outlives_the_next_op():
    """ReLU's output comes from the workspace: what a user keeps stays intact and unshared."""
    import nnscratch as ns

    rng = np.random.default_rng(0)
    x1, x2 = (rng.standard_normal((256, 512)).astype(np.float32) for _ in range(2))
    kept = ns.relu(ns.tensor(x1)).numpy()
    view = kept[10:20]
    del kept
    gc.collect()
    later = [ns.relu(ns.tensor(x2)).numpy() for _ in range(3)]
    np.testing.assert_array_equal(view, np.maximum(x1, 0)[10:20])
    assert not any(np.shares_memory(view, y) for y in later)


def test_the_recycler_holds_at_most_its_byte_budget_of_free_memory():
    recycler = workspace._Recycler(keep=8, keep_bytes=3 * 2**20)
    arrays = [recycler.take((2**20,), np.uint8) for _ in range(5)]  # 5 MiB lent out
    del arrays
    gc.collect()
    assert sum(b.size for b in recycler.free) <= 3 * 2**20
    assert len(recycler.free) == 3  # the rest went back to the system

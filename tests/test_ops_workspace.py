"""The ops' reusable memory: scratch temporaries and recycled arrays never alias live data."""

import gc

import numpy as np

from nnscratch.ops import workspace


def test_a_recycled_buffer_waits_for_the_last_view():
    a = workspace.recycled((4, 5), np.float32)
    a[...] = 1
    view = a.reshape(20)[2:]  # NumPy's view of a view: its base is not ``a``
    del a
    gc.collect()
    b = workspace.recycled((4, 5), np.float32)
    b[...] = 7
    assert not np.shares_memory(view, b)
    assert (view == 1).all()


def test_a_dead_arrays_buffer_is_handed_out_again():
    workspace._recycler.free.clear()  # (other tests' buffers could fit too)
    a = workspace.recycled((64, 64), np.float32)
    address = a.ctypes.data
    del a
    gc.collect()
    assert workspace.recycled((64, 64), np.float32).ctypes.data == address  # no page faults


def test_scratch_is_reused_per_role_and_recycled_arrays_are_plain_arrays():
    first = workspace.scratch("test-role", (8,), np.float64)
    again = workspace.scratch("test-role", (2, 4), np.float64)
    assert np.shares_memory(first, again)
    assert not np.shares_memory(first, workspace.scratch("other-role", (8,), np.float64))
    r = workspace.recycled((3, 2), np.float64)
    assert type(r) is np.ndarray and r.flags.writeable and r.flags.c_contiguous

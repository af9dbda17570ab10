"""The BLAS thread policy: mid-size products on one thread, the user's count put back after."""

import numpy as np
import pytest

import nnscratch as ns
from nnscratch.ops import linalg

# The module the ops call (a doctest run may import a second copy of nnscratch.ops.blas).
blas = linalg.blas


class FakeBlas:
    """A BLAS handle that records the thread counts it is given."""

    def __init__(self, threads: int) -> None:
        self.threads, self.calls = threads, []

    def get_num_threads(self) -> int:
        return self.threads

    def set_num_threads(self, n: int) -> None:
        self.calls.append(n)
        self.threads = n


@pytest.fixture
def fake(monkeypatch):
    lib = FakeBlas(2)
    monkeypatch.setattr(blas, "_blas_libraries", lambda: (lib,))
    return lib


@pytest.mark.parametrize(
    "m,k,n,switched",
    [(4, 2, 10, False), (64, 32, 96, False), (128, 128, 128, True), (768, 32, 96, True),
     (256, 256, 256, False), (1024, 512, 512, False)],
)  # fmt: skip
def test_only_mid_size_products_switch_to_one_thread(fake, rng, m, k, n, switched):
    a, b = rng.standard_normal((m, k)), rng.standard_normal((k, n))
    expected = a @ b
    np.testing.assert_array_equal(blas.dot(a, b), expected)  # the same BLAS call: exact
    np.testing.assert_array_equal(blas.matmul(a[None], b), expected[None])
    with blas.threads_for(m, k, n):
        inside = fake.threads
    assert fake.calls == ([1, 2] * 3 if switched else [])
    assert inside == (1 if switched else 2) and fake.threads == 2


def test_one_thread_already_is_left_alone(fake, rng):
    fake.threads = 1
    blas.dot(rng.standard_normal((128, 128)), rng.standard_normal((128, 128)))
    assert fake.calls == []


def test_the_ops_use_the_policy(fake, rng):
    x = ns.tensor(rng.standard_normal((128, 128)), requires_grad=True)
    w = ns.tensor(rng.standard_normal((128, 128)), requires_grad=True)
    ns.nn.functional.linear(x, w).sum().backward()  # forward, then two products backward
    (x @ w).sum().backward()
    assert fake.calls == [1, 2] * 6


def test_the_count_is_put_back_even_when_the_product_fails(fake):
    with pytest.raises(ValueError):
        blas.dot(np.ones((128, 128)), np.ones((100, 200)), out=np.empty((3, 3)))
    assert fake.threads == 2


def test_real_blas_runs_mid_size_products_on_one_thread():
    before = ns.get_num_threads()
    try:
        ns.set_num_threads(2)
        assert ns.get_num_threads() == 2
        with blas.threads_for(128, 128, 128):
            assert ns.get_num_threads() == 1
        assert ns.get_num_threads() == 2
    finally:
        ns.set_num_threads(before)


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2"])
def test_set_num_threads_refuses_what_is_not_a_positive_int(n):
    with pytest.raises(ValueError, match="set_num_threads: expected a positive int"):
        ns.set_num_threads(n)

"""IDX files (MNIST's format) that lie: every problem is a FileFormatError, and a gzip'd file is
inflated no further than its header promises."""

from __future__ import annotations

import gzip
import struct
import tracemalloc

import pytest

from nnscratch.datasets import read_idx
from nnscratch.errors import FileFormatError


def _peak_bytes(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_not_inflated_beyond_the_header_promise():
    bomb = gzip.compress(struct.pack(">BBBBI", 0, 0, 0x08, 1, 3) + bytes(3 + 50_000_000))

    def read():
        with pytest.raises(FileFormatError, match="has trailing bytes"):
            read_idx(bomb)

    assert _peak_bytes(read) < 2**20


def test_a_header_promising_more_than_the_gzip_can_hold_is_refused():
    lie = gzip.compress(struct.pack(">BBBBIII", 0, 0, 0x0E, 3, 2**32 - 1, 2**32 - 1, 2**20))
    with pytest.raises(FileFormatError, match="truncated or lies.*more than a 3.-byte gzip"):
        read_idx(lie)


def test_sizes_whose_product_wraps_around_64_bits_are_truncated_files():
    header = struct.pack(">BBBB", 0, 0, 0x08, 4) + struct.pack(">I", 2**16) * 4  # 2**64 bytes
    with pytest.raises(FileFormatError, match="is truncated"):
        read_idx(header)

"""Datasets as NumPy arrays: logic-gate truth tables, toy 2-D sets and MNIST.

>>> from nnscratch import datasets
>>> datasets.logic_gate("and")[1].ravel().tolist()
[0.0, 0.0, 0.0, 1.0]
"""

from .gates import GATES, logic_gate
from .mnist import load_mnist, read_idx
from .toy import make_blobs, make_circles, make_moons, two_spirals

__all__ = [
    "GATES",
    "load_mnist",
    "logic_gate",
    "make_blobs",
    "make_circles",
    "make_moons",
    "read_idx",
    "two_spirals",
]

"""Small datasets to train on: logic gates and toy 2-D sets (NumPy arrays)."""

from .toy import GATES, logic_gate, two_spirals

__all__ = ["GATES", "logic_gate", "two_spirals"]

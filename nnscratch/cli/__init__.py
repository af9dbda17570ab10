"""The command line: ``nnscratch gates | trace | summary | train`` (or ``python -m nnscratch``).

>>> from nnscratch.cli import main
>>> main(["trace", "--gate", "nope"])
2
"""

from .main import build_parser, main, run

__all__ = ["build_parser", "main", "run"]

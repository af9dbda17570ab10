"""``nnscratch``: the command-line workbench (also ``python -m nnscratch``).

Exit status: 0 on success; 2 for arguments or inputs to fix (one line on stderr says which);
1 when a command fails (one line on stderr; ``NNSCRATCH_DEBUG=1`` shows the traceback).

>>> main(["--version"])
nnscratch 0.1.0
0
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import __version__
from . import gates, trace, train
from .arguments import Parser
from .output import UsageError

__all__ = ["build_parser", "main", "run"]

DESCRIPTION = """\
A workbench for nnscratch, neural networks from scratch on NumPy:
  nnscratch gates      learn the logic gates three ways (the article's NumPy network,
                       Keras-style, PyTorch-style), with truth tables and pictures
  nnscratch trace      one training step of the article's network, every number shown
  nnscratch summary    the summary of a model described in JSON
  nnscratch train      train that model on a CSV or NPZ file
Run 'nnscratch COMMAND --help' for a command's options."""


def build_parser() -> Parser:
    """The ``nnscratch`` parser with its subcommands."""
    parser = Parser(
        prog="nnscratch", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    gates.add_parser(commands)
    trace.add_parser(commands)
    train.add_parsers(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    command = "nnscratch"
    try:
        args = parser.parse_args(argv)
        command = f"nnscratch {args.command}"
        return args.handler(args)
    except SystemExit as exit:  # argparse's --help, --version and errors
        return exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    except UsageError as error:
        _error(command, str(error))
        return 2
    except KeyboardInterrupt:
        _error(command, "interrupted")
        return 130
    except Exception as error:
        if os.environ.get("NNSCRATCH_DEBUG"):
            raise
        _error(command, f"{type(error).__name__}: {error}")
        return 1


def _error(command: str, message: str) -> None:
    one_line = " ".join(message.split())
    print(f"{command}: error: {one_line}", file=sys.stderr)


def run() -> None:
    """The ``nnscratch`` console script."""
    sys.exit(main())

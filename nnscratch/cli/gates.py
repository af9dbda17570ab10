"""``nnscratch gates``: every logic gate learned three ways, as truth tables and pictures."""

from __future__ import annotations

import argparse
import os
import string
import time
from pathlib import Path

from ..datasets import logic_gate
from .arguments import GATE_NAMES, gate_names, int_range, positive_float
from .gate_plots import picture_names
from .limits import MAX_EPOCHS, MAX_HIDDEN, MAX_SEED
from .output import UsageError, format_table, note, progress
from .styles import DEFAULT_SEED, STYLES, Run, Settings, train

__all__ = ["add_parser", "run"]

DESCRIPTION = """\
Train logic gates (and, or, not, nand, nor, xor, xnor) three ways and print each truth table
with the probability and rounded prediction of every model:
  scratch  the article's NumPy network (sigmoid, no biases, back_prop written by hand)
  keras    the article's Keras model (nnscratch.keras Sequential, Adam)
  torch    the same idea PyTorch-style (nnscratch.nn + nnscratch.optim, SGD)
Every model trains on the whole truth table each step. Pictures (decision boundaries, loss
curves, the trained networks) go to --out."""

EPILOG = """\
defaults per style (--epochs, --lr, --hidden override them for every style chosen):
  scratch  2000 steps, lr 2, 4 hidden units (the article: 10000 steps, lr 0.1, 2 hidden;
           with 2 hidden units and no biases AND and NAND stall from most seeds: try
           --style scratch --hidden 2)
  keras    150 epochs, lr 0.05, 10 units in each hidden layer (the article: 500-1000, 0.001)
  torch    500 steps, lr 5, 4 hidden units
The seed (default 0) is set afresh before each model, so a gate's result does not depend on
which other gates are trained."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``gates`` and its options."""
    parser = subparsers.add_parser(
        "gates", help="learn the logic gates three ways (scratch, keras, torch)",
        description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument(
        "--gate", action="append", type=gate_names, metavar="NAME[,NAME...]",
        help="gate(s) to train, repeatable or comma-separated (default: all seven)",
    )  # fmt: skip
    parser.add_argument("--style", choices=[*STYLES, "all"], default="all", help="default: all")
    parser.add_argument("--epochs", type=int_range(1, MAX_EPOCHS), help="training steps (epochs)")
    parser.add_argument("--lr", type=positive_float, help="learning rate")
    parser.add_argument("--hidden", type=int_range(1, MAX_HIDDEN), help="units per hidden layer")
    parser.add_argument(
        "--seed", type=int_range(0, MAX_SEED), default=DEFAULT_SEED, help="default: %(default)s"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("nnscratch-out"), help="folder for the PNGs "
        "(default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--no-plots", action="store_true", help="train and print only")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or notes")
    parser.set_defaults(handler=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Train, print a table per gate and a summary, then draw the pictures."""
    gates = _selected_gates(args.gate)
    if not args.no_plots:
        check_out(args.out, picture_names(gates))
    styles = [STYLES[name] for name in (STYLES if args.style == "all" else [args.style])]
    settings = {style.name: _settings(style.defaults, args) for style in styles}
    for style in styles:
        model, training = style.describe(settings[style.name], 2)
        print(f"{style.name:8} {model}\n{'':8} {training}")
    print()
    start, runs = time.perf_counter(), []
    for gate in gates:
        x, y = logic_gate(gate)
        gate_runs = [_train(style, gate, x, y, settings[style.name], args) for style in styles]
        print(gate_table(gate_runs))
        print()
        runs += gate_runs
    print(_summary(runs, time.perf_counter() - start))
    if not args.no_plots:
        _plot(runs, args.out, args.quiet)
    return 0


def check_out(out: Path, names: list[str]) -> None:
    """UsageError, before any training, when the pictures ``names`` cannot be written into the
    folder ``out`` (made later if it does not exist); nothing is made here."""
    nearest = next((p for p in (out, *out.parents) if p.exists()), Path.cwd())
    if not nearest.is_dir():
        where = "is" if nearest == out else f"cannot be made: {str(nearest)!r} is"
        raise UsageError(f"--out: {str(out)!r} {where} a file, not a folder")
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise UsageError(f"--out: {str(out)!r} cannot be written: no permission in "
                         f"{str(nearest)!r}")  # fmt: skip
    for path in (out / name for name in names):
        if path.exists() and (not path.is_file() or not os.access(path, os.W_OK)):
            raise UsageError(f"--out: {str(path)!r} exists and cannot be replaced by a picture")


def _selected_gates(chosen: list[list[str]] | None) -> list[str]:
    names = [name for group in chosen for name in group] if chosen else list(GATE_NAMES)
    return list(dict.fromkeys(names))  # in the order given, each once


def _settings(defaults: Settings, args: argparse.Namespace) -> Settings:
    return Settings(
        epochs=args.epochs or defaults.epochs,
        lr=args.lr or defaults.lr,
        hidden=args.hidden or defaults.hidden,
        seed=args.seed,
    )


def _train(style, gate: str, x, y, settings: Settings, args) -> Run:
    with progress(settings.epochs, f"{gate} {style.name}", args.quiet) as bar:
        return train(style, gate, x, y, settings, bar)


def gate_table(runs: list[Run]) -> str:
    """One gate's truth table with each style's probability and rounded prediction (a ``*``
    marks a wrong one), then a line per style: rows right, loss first and last, time."""
    x = runs[0].x
    headers = [*string.ascii_lowercase[: x.shape[1]], "target"]
    for run in runs:
        headers += [f"{run.style} p", "pred"]
    rows = [_row(runs, i) for i in range(len(x))]
    lines = [runs[0].gate.upper(), format_table(headers, rows)]
    for run in runs:
        lines.append(
            f"  {run.style + ':':8} accuracy {run.correct}/{len(x)} = {run.correct / len(x):.0%}"
            f", loss {run.losses[0]:.4g} -> {run.losses[-1]:.4g}, {run.seconds:.2f} s"
        )
    return "\n".join(lines)


def _row(runs: list[Run], i: int) -> list:
    """Row ``i``: its inputs and target, then each style's probability and rounded output."""
    x, y = runs[0].x, runs[0].y
    row = [*(int(v) for v in x[i]), int(y[i, 0])]
    for run in runs:
        p = run.probabilities[i, 0]
        wrong = "*" if (p >= 0.5) != (y[i, 0] >= 0.5) else ""
        row += [f"{p:.4f}", f"{int(p >= 0.5)}{wrong}"]
    return row


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _summary(runs: list[Run], seconds: float) -> str:
    failed = [f"{run.gate}/{run.style}" for run in runs if run.correct < len(run.x)]
    gates = len({run.gate for run in runs})
    styles = len(runs) // max(gates, 1)
    head = f"{len(runs)} models ({_count(gates, 'gate')} x {_count(styles, 'style')})"
    if not failed:
        return f"{head} in {seconds:.1f} s: every truth table learned."
    return f"{head} in {seconds:.1f} s: not learned: {', '.join(failed)} (rows marked *)."


def _plot(runs: list[Run], out: Path, quiet: bool) -> None:
    note("drawing the pictures ...", quiet)
    try:
        from .gate_plots import write_plots

        paths = write_plots(runs, out)
    except ImportError as error:
        note(f"plots skipped: {error}")
        return
    print(f"Pictures in {out}/:")
    for path in paths:
        print(f"  {path}")

"""``nnscratch summary`` and ``nnscratch train``: a Keras-style model from a JSON config."""

from __future__ import annotations

import argparse
import math
import time
import warnings
from pathlib import Path

import numpy as np

from ..keras import utils as keras_utils
from . import limits
from .arguments import int_range
from .config import ModelConfig, build_model, compile_model, load_config, parse_config
from .data import Data, load_data
from .output import UsageError, format_table, note, progress
from .styles import ProgressCallback

__all__ = ["add_parsers", "run_summary", "run_train"]

CONFIG_HELP = "the model as JSON (see 'nnscratch train --help')"
TRAIN_EPILOG = (
    """\
The config is a JSON object, for example:
  {"input_shape": [2],
   "layers": [{"type": "Dense", "units": 8, "activation": "relu"},
              {"type": "Dense", "units": 1, "activation": "sigmoid"}],
   "optimizer": "adam", "loss": "binary_crossentropy", "metrics": ["binary_accuracy"],
   "epochs": 100, "batch_size": 32, "seed": 0}
Only "layers" and "input_shape" are required; a layer may also be Keras's
{"class_name": "Dense", "config": {...}}, and the optimizer {"class_name": "Adam",
"config": {"learning_rate": 0.01}}.

The data: a CSV with a header line, all values numbers; the target columns are named by
--target (default: the last column) and the other columns are the inputs. Or an NPZ file
with the arrays x and y (read with allow_pickle=False). Every value must be a finite number.

"""
    "Limits, checked before anything is made: at most "
    f"{limits.MAX_WEIGHT_BYTES >> 30} GiB of weights,\n{limits.MAX_EPOCHS:,} epochs, a seed from "
    f"0 to {limits.MAX_SEED:,}, a config of at most {limits.MAX_CONFIG_BYTES >> 20} MiB nested "
    f"at most\n{limits.MAX_NESTING} levels."
)


def add_parsers(subparsers) -> None:
    """Register ``summary`` and ``train``."""
    summary = subparsers.add_parser(
        "summary", help="print the summary of a model described in JSON",
        description="Build the model of a JSON config and print model.summary().",
        epilog=TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    summary.add_argument("--config", type=Path, required=True, help=CONFIG_HELP)
    summary.set_defaults(handler=run_summary)

    train = subparsers.add_parser(
        "train", help="train a model described in JSON on a CSV or NPZ file",
        description="Train the model of a JSON config on a data file; print the final "
        "metrics, and the predictions when the table is small.",
        epilog=TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    train.add_argument("--config", type=Path, required=True, help=CONFIG_HELP)
    train.add_argument("--data", type=Path, required=True, help="a .csv or .npz file")
    train.add_argument(
        "--target", action="append", metavar="COLUMN[,COLUMN...]",
        help="CSV target column(s), repeatable or comma-separated (default: the last column)",
    )  # fmt: skip
    train.add_argument(
        "--epochs", type=int_range(1, limits.MAX_EPOCHS), help="overrides the config's epochs"
    )
    train.add_argument(
        "--batch-size", type=int_range(1, limits.MAX_BATCH_SIZE), help="overrides the config's"
    )
    train.add_argument(
        "--seed", type=int_range(0, limits.MAX_SEED), help="overrides the config's seed (default 0)"
    )
    train.add_argument("--save", type=Path, metavar="PATH.keras", help="save the trained model")
    train.add_argument(
        "--show", type=int, default=20, metavar="N",
        help="print the predictions when there are at most N rows (default: %(default)s)",
    )  # fmt: skip
    train.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=run_train)


def _model(path: Path, seed: int | None = None) -> tuple[ModelConfig, object]:
    """The config and its model, built (weights drawn) right after seeding the generators."""
    keras_utils.clear_session()  # the layers are named dense, dense_1, ... as in a fresh Keras
    cfg = parse_config(load_config(path))
    keras_utils.set_random_seed(cfg.seed if seed is None else seed)
    return cfg, build_model(cfg)


def run_summary(args: argparse.Namespace) -> int:
    """Print the model's summary table."""
    _, model = _model(args.config)
    model.summary()
    return 0


def run_train(args: argparse.Namespace) -> int:
    """Fit, then print the final metrics, the predictions of a small table and the save."""
    if args.save is not None and args.save.suffix != ".keras":
        raise UsageError(f"--save: the file name must end in .keras, received {str(args.save)!r}")
    targets = [name.strip() for group in args.target or [] for name in group.split(",")]
    data = load_data(args.data, [name for name in targets if name])
    cfg, model = _model(args.config, args.seed)
    _check_shapes(cfg, data)
    compile_model(model, cfg)
    epochs, batch_size = args.epochs or cfg.epochs, args.batch_size or cfg.batch_size or 32
    where = "--batch-size" if args.batch_size else "config: field 'batch_size'"
    limits.check_activations(model, min(batch_size, len(data.x)), where)
    seconds = _fit(model, data, epochs, batch_size, args.quiet)
    print(f"Trained {epochs} epochs on {len(data.x)} rows in {seconds:.1f} s.")
    logs = model.evaluate(data.x, data.y, batch_size=batch_size, verbose=0, return_dict=True)
    print("Final " + ", ".join(f"{name} {value:.4f}" for name, value in logs.items()))
    if len(data.x) <= args.show:
        print(predictions_table(data, model.predict(data.x, batch_size=batch_size, verbose=0)))
    if args.save is not None:
        model.save(args.save)
        print(f"Saved the model to {args.save}")
    return 0


def _fit(model, data: Data, epochs: int, batch_size: int | None, quiet: bool) -> float:
    """``model.fit`` behind a progress bar; its warnings become one-line notes. Seconds taken."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with progress(epochs, "training", quiet) as bar:
            model.fit(data.x, data.y, batch_size=batch_size, epochs=epochs, verbose=0,
                      callbacks=[ProgressCallback(bar)])  # fmt: skip
    for message in dict.fromkeys(str(w.message) for w in caught):
        note(f"note: {message}", quiet)
    return time.perf_counter() - start


def _check_shapes(cfg: ModelConfig, data: Data) -> None:
    if tuple(data.x.shape[1:]) != cfg.input_shape:
        raise UsageError(
            f"--data: the inputs have shape {tuple(data.x.shape[1:])} per row "
            f"({', '.join(data.x_names)}), the config's input_shape is {list(cfg.input_shape)}"
        )


def predictions_table(data: Data, predictions: np.ndarray) -> str:
    """Each row's inputs, targets and the model's predictions, aligned."""
    x = data.x.reshape(len(data.x), -1)
    y = data.y.reshape(len(data.y), -1)
    out = predictions.reshape(len(predictions), -1)
    x_names = data.x_names if len(data.x_names) == x.shape[1] else _numbered("x", x.shape[1])
    y_names = data.y_names if len(data.y_names) == y.shape[1] else _numbered("y", y.shape[1])
    p_names = [f"predicted {n}" for n in _numbered("", out.shape[1])] if out.shape[1] > 1 else []
    headers = [*x_names, *y_names, *(p_names or ["predicted"])]
    rows = [[*map(_cell, a), *map(_cell, b), *map(_cell, c)] for a, b, c in zip(x, y, out)]
    return format_table(headers, rows)


def _numbered(stem: str, n: int) -> list[str]:
    return [stem] if n == 1 and stem else [f"{stem}{i}" for i in range(n)]


def _cell(value) -> str:
    value = float(value)  # nan or inf when training diverged: shown, not rounded
    return f"{value:g}" if not math.isfinite(value) or value == round(value) else f"{value:.4f}"

"""``TensorBoard``: write the training logs as TensorBoard event files, without TensorFlow.

The files are written by tensorboardX (``pip install "nnscratch[tensorboard]"``), under the
tags Keras uses, so ``tensorboard --logdir logs`` shows the same charts for an nnscratch run
as for a Keras one:

- ``log_dir/train``: ``epoch_<name>`` for every training log of an epoch (``epoch_loss``,
  ``epoch_accuracy``, ...), plus ``epoch_learning_rate`` and, with
  ``write_steps_per_second``, ``epoch_steps_per_second``; step = the epoch (0-based).
- ``log_dir/validation``: ``epoch_<name>`` for the ``val_<name>`` logs (prefix dropped), and
  after every evaluation (``fit``'s validation or ``evaluate``) ``evaluation_<name>_vs_iterations``
  with step = the optimizer's iteration count.
- with ``update_freq="batch"`` or an int ``N``: ``batch_<name>`` of the latest training batch's
  logs (running means, as fit reports them) every ``N`` batches, step = the batch number counted
  from 1 across epochs (and ``batch_steps_per_second`` with ``write_steps_per_second``).
- with ``histogram_freq=N``: every ``N`` epochs, a histogram of each weight, tagged
  ``<layer name>/<weight name>/histogram``.

Accepted and documented as not written: ``write_graph`` (Keras stores the model's JSON for the
graph plugin; nnscratch's ``keras.utils.plot_model`` draws the layer graph), ``write_images``
(weights as images), ``embeddings_freq``/``embeddings_metadata`` (the projector). Profiling is
refused, as Keras refuses it on the torch backend: ``profile_batch`` must be 0.

Nothing is created until training starts: constructing the callback touches no file.
"""

from __future__ import annotations

import os
import time

import numpy as np

from .callback import Callback

__all__ = ["TensorBoard"]


def _summary_writer_class():
    """tensorboardX's ``SummaryWriter``, or an ImportError that says how to install it."""
    try:
        from tensorboardX import SummaryWriter
    except ImportError as error:
        raise ImportError(
            "keras.callbacks.TensorBoard writes event files through tensorboardX, which is not "
            'installed: pip install "nnscratch[tensorboard]" (or pip install tensorboardX)'
        ) from error
    return SummaryWriter


def _batch_period(update_freq) -> int | str:
    """``"epoch"``, or the number of batches between two batch-level writes."""
    if update_freq == "epoch":
        return "epoch"
    if update_freq == "batch":
        return 1
    if isinstance(update_freq, int) and not isinstance(update_freq, bool) and update_freq > 0:
        return update_freq
    raise ValueError(
        "TensorBoard: update_freq must be 'epoch', 'batch' or a positive integer (write every "
        f"that many batches). Received: update_freq={update_freq!r}"
    )


def _check_profile_batch(profile_batch) -> None:
    """Keras's forms (an int >= 0, ``"start,stop"``, a pair) are understood; any batch to
    profile is refused, as Keras refuses it on the torch backend."""
    pair = profile_batch.split(",") if isinstance(profile_batch, str) else profile_batch
    try:
        start, stop = (pair, pair) if isinstance(pair, int) else (int(pair[0]), int(pair[1]))
        valid = 0 <= start <= stop and (isinstance(pair, int) or len(pair) == 2)
    except (TypeError, ValueError, IndexError):
        valid = False
    if not valid:
        raise ValueError(
            "TensorBoard: profile_batch must be a non-negative integer or a pair of positive "
            f"integers (a range of batches to profile). Received: profile_batch={profile_batch!r}"
        )
    if stop:
        raise ValueError(
            "TensorBoard: profiling is not available in nnscratch (Keras has none on the torch "
            f"backend either). Received: profile_batch={profile_batch!r} (must be 0)"
        )


def _check_frequency(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(
            f"TensorBoard: {name} must be a non-negative integer (0: never). "
            f"Received: {name}={value!r}"
        )
    return value


class TensorBoard(Callback):
    """Write the logs of ``fit`` (and ``evaluate``) to ``log_dir`` for TensorBoard.

    The module docstring lists the tags. Needs tensorboardX:
    ``pip install "nnscratch[tensorboard]"``; without it the constructor raises ImportError.

    >>> import tempfile
    >>> import numpy as np
    >>> from nnscratch import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> model.compile("sgd", "mse")
    >>> board = keras.callbacks.TensorBoard(log_dir=tempfile.mkdtemp(), histogram_freq=1)
    >>> history = model.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0,
    ...                     callbacks=[board])
    >>> sorted(os.listdir(board.log_dir))
    ['train']
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq: int = 0,
        embeddings_metadata=None,
    ) -> None:
        super().__init__()
        self._writer_class = _summary_writer_class()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _check_frequency("histogram_freq", histogram_freq)
        self.write_graph, self.write_images = write_graph, write_images  # not written
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _batch_period(update_freq)
        _check_profile_batch(profile_batch)
        self.profile_batch = profile_batch
        self.embeddings_freq = _check_frequency("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata  # not written
        self._writers: dict = {}
        self._training = False
        self._global_train_batch = 0
        self._batch_start = self._epoch_start = 0.0
        self._epoch_start_iterations = 0

    # ---- writers ----------------------------------------------------------------------------
    def _writer(self, which: str):
        """The writer of ``log_dir/train`` or ``log_dir/validation``, opened on first use."""
        if which not in self._writers:
            self._writers[which] = self._writer_class(os.path.join(self.log_dir, which))
        return self._writers[which]

    def _scalars(self, which: str, prefix: str, logs: dict, step: int) -> None:
        writer = self._writer(which)
        for name, value in logs.items():
            if np.ndim(value) == 0:  # Keras writes only scalars; a per-class array is skipped
                writer.add_scalar(f"{prefix}{name}", float(value), global_step=step)

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def _iterations(self) -> int:
        optimizer = getattr(self.model, "optimizer", None)
        return int(np.asarray(getattr(optimizer, "iterations", 0)))

    # ---- hooks ------------------------------------------------------------------------------
    def set_model(self, model) -> None:
        super().set_model(model)
        self._close_writers()

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._global_train_batch, self._training = 0, True

    def on_train_end(self, logs: dict | None = None) -> None:
        self._training = False
        self._close_writers()

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._global_train_batch += 1
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        step, extra = self._global_train_batch, {}
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._batch_start
            extra["steps_per_second"] = 1.0 / max(elapsed, 1e-12)
        self._scalars("train", "batch_", {**(logs or {}), **extra}, step)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch_start = time.perf_counter()
        self._epoch_start_iterations = self._iterations()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k.removeprefix("val_"): v for k, v in logs.items() if k.startswith("val_")}
        train.update(self._epoch_extras())
        if train:
            self._scalars("train", "epoch_", train, epoch)
        if val:
            self._scalars("validation", "epoch_", val, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._histograms(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs: dict | None = None) -> None:
        if getattr(self.model, "optimizer", None) is None or not logs:
            return
        step = self._iterations()
        for name, value in logs.items():
            if np.ndim(value) == 0:
                self._writer("validation").add_scalar(
                    f"evaluation_{name}_vs_iterations", float(value), global_step=step
                )
        if not self._training:  # evaluate() on its own: closing is what puts events on disk
            self._close_writers()

    # ---- what an epoch adds -----------------------------------------------------------------
    def _epoch_extras(self) -> dict:
        """The optimizer's learning rate and, if asked, the steps per second of the epoch."""
        extras = {}
        rate = getattr(getattr(self.model, "optimizer", None), "learning_rate", None)
        if rate is not None and np.ndim(rate) == 0:
            extras["learning_rate"] = float(np.asarray(rate))
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._epoch_start, 1e-12)
            extras["steps_per_second"] = (self._iterations() - self._epoch_start_iterations) / (
                elapsed
            )
        return extras

    def _histograms(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                path = str(getattr(weight, "path", weight.name))
                tag = path if "/" in path else f"{layer.name}/{weight.name}"
                values = np.asarray(weight.numpy(), dtype=np.float64)
                writer.add_histogram(f"{tag.replace(':', '_')}/histogram", values, epoch)

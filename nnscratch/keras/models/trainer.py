"""``Trainer``: ``compile``, ``fit``, ``evaluate`` and ``predict`` for Keras models.

``fit`` is a plain loop with callback hooks: each batch goes through ``train_step`` (forward,
loss with regularization penalties, backward, one optimizer update, metrics on the predictions
made before the update), as Keras's torch backend does. Override ``train_step`` to customise.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...errors import InputError
from .. import optimizers as optimizers_module
from ..callbacks.history import History
from ..callbacks.progbar_logger import ProgbarLogger, progress_line, summary_line
from . import data as data_utils
from .callback_list import CallbackList
from .compile_utils import CompiledLoss, CompiledMetrics, Mean, loss_weight, to_float
from .fit_arguments import check_fit_arguments

__all__ = ["Trainer"]


def _verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


class Trainer:
    """Mixed into ``Model``: the training API. The model must be a Layer (``__call__``,
    ``trainable_weights``, ``losses``)."""

    compiled = False
    optimizer = None
    stop_training = False

    # ---- compile ------------------------------------------------------------------------------
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
    ) -> None:
        """Choose the optimizer, loss and metrics (names, objects or callables), in Keras 3's
        order: pass ``metrics`` by keyword (the third positional argument is ``loss_weights``).

        ``metrics`` may be a list or, as in the article, a single name (``"binary_accuracy"``);
        only ``weighted_metrics`` see sample weights, as in Keras 3. ``loss_weights`` scales the
        loss (models have a single output); the execution options are accepted for Keras's
        signature.
        """
        weight = loss_weight(loss_weights)  # first: refuse Keras 2's positional metrics
        self.optimizer = optimizers_module.get(optimizer)
        self.loss, self.loss_weights = loss, loss_weights
        self._compiled_loss = None if loss is None else CompiledLoss(loss, weight)
        self._compiled_metrics = CompiledMetrics(metrics, weighted_metrics)
        self._loss_tracker = Mean(name="loss")
        self.compiled = True

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before calling `{method}()` on model '{self.name}'."
            )

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", *metric names]`` (metric names are known after the first batch)."""
        return ["loss", *self._compiled_metrics.names] if self.compiled else []

    def reset_metrics(self) -> None:
        self._loss_tracker.reset_state()
        self._compiled_metrics.reset_state()

    def get_metrics_result(self) -> dict[str, float]:
        return {"loss": self._loss_tracker.result(), **self._compiled_metrics.result()}

    # ---- one step -----------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the regularization penalties (``self.losses``)."""
        terms = (
            [] if self._compiled_loss is None else [self._compiled_loss(y, y_pred, sample_weight)]
        )
        terms += [penalty.sum() for penalty in self.losses]
        if not terms:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict[str, float]:
        self._compiled_metrics.update_state(y, y_pred.detach(), sample_weight)
        return self.get_metrics_result()

    def train_step(self, data: tuple) -> dict[str, float]:
        """Forward, loss, backward and one optimizer update on one batch ``(x, y, weights)``."""
        x, y, sample_weight = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(to_float(loss), x.shape[0])
        self._apply_gradients(loss)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _apply_gradients(self, loss: Tensor) -> None:
        params = self.trainable_weights
        if not params:
            warnings.warn("The model does not have any trainable weights.", stacklevel=3)
            return
        for param in params:  # fresh gradients: only these are read (Module.zero_grad walks all)
            param.grad = None
        loss.backward()
        self.optimizer.apply_gradients([(p.grad, p) for p in params if p.grad is not None])

    def test_step(self, data: tuple) -> dict[str, float]:
        x, y, sample_weight = data
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(to_float(loss), x.shape[0])
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, x: Tensor) -> np.ndarray:
        with no_grad():
            return self(x, training=False).numpy()

    # ---- loops --------------------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        validation_batch_size=None,
        validation_freq=1,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` in batches (default 32); returns History.

        ``validation_split`` keeps the last fraction of the samples aside (before shuffling);
        ``val_`` entries are then logged at the end of each epoch. Training runs from epoch
        ``initial_epoch`` up to ``epochs`` (an index, as in Keras, not a count).
        """
        self._assert_compiled("fit")
        check_fit_arguments(
            epochs, initial_epoch, validation_split, validation_freq, validation_batch_size
        )
        arrays = self._arrays(x, y, sample_weight, class_weight)
        val_arrays = self._validation_arrays(validation_data)
        if validation_split and val_arrays is None:
            arrays, val_arrays = data_utils.split_validation(arrays, validation_split)
        batches = data_utils.Batches(len(arrays[0]), batch_size, shuffle)
        if batch_size is not None:  # the default holding every sample of a small set is fine
            data_utils.warn_large_batch(batches.batch_size, len(arrays[0]))
        history, verbose = History(), _verbosity(verbose)
        params = {"verbose": verbose, "epochs": epochs, "steps": len(batches)}
        callbacks = list(callbacks or [])
        if verbose and not any(isinstance(c, ProgbarLogger) for c in callbacks):
            callbacks.insert(0, ProgbarLogger())  # as Keras 3: no progress bar when silent
        hooks = CallbackList([*callbacks, history], self, params)
        self.stop_training, logs = False, {}
        self._initial_epoch = None  # BackupAndRestore sets it in on_train_begin, as in Keras
        hooks.on_train_begin()
        for epoch in range(self._initial_epoch or initial_epoch, epochs):
            logs = self._fit_epoch(epoch, batches, arrays, hooks)
            if val_arrays is not None and (epoch + 1) % validation_freq == 0:
                logs.update(self._validation_logs(val_arrays, validation_batch_size or batch_size))
            logs = dict(sorted(logs.items()))  # Keras logs its names in sorted order
            hooks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        hooks.on_train_end(logs)
        return history

    def _fit_epoch(self, epoch: int, batches, arrays: list, hooks) -> dict[str, float]:
        self.reset_metrics()
        hooks.on_epoch_begin(epoch)
        for step, index in enumerate(batches):
            hooks.on_train_batch_begin(step)
            logs = self.train_step(_batch(arrays, index))
            hooks.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        return self.get_metrics_result()

    def _validation_logs(self, val_arrays: list, batch_size) -> dict[str, float]:
        logs = self.evaluate(
            *val_arrays[:2],
            batch_size=batch_size,
            verbose=0,
            sample_weight=val_arrays[2],
            return_dict=True,
        )
        return {f"val_{name}": value for name, value in logs.items()}

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        callbacks=None,
        return_dict=False,
    ):
        """The loss and metrics over ``(x, y)``: a scalar when there are no metrics, else
        ``[loss, *metrics]`` in ``metrics_names`` order (or a dict with ``return_dict``)."""
        self._assert_compiled("evaluate")
        arrays = self._arrays(x, y, sample_weight, None)
        batches = data_utils.Batches(len(arrays[0]), batch_size)
        hooks = CallbackList(callbacks or [], self, {"verbose": verbose, "steps": len(batches)})
        self.reset_metrics()
        start = time.perf_counter()
        hooks.on_test_begin()
        for step, index in enumerate(batches):
            hooks.on_test_batch_begin(step)
            hooks.on_test_batch_end(step, self.test_step(_batch(arrays, index)))
        logs = self.get_metrics_result()
        hooks.on_test_end(logs)
        _print_progress(_verbosity(verbose), len(batches), start, logs)
        return logs if return_dict else self._flatten_logs(logs)

    def _flatten_logs(self, logs: dict):
        values = [logs[name] for name in self.metrics_names]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", callbacks=None) -> np.ndarray:
        """The model's outputs for ``x`` as a NumPy array, computed in batches (default 32)."""
        x = data_utils.as_array(x, "x")
        batches = data_utils.Batches(len(x), batch_size)
        start = time.perf_counter()
        outputs = [self.predict_step(data_utils.to_tensor(x[index])) for index in batches]
        _print_progress(_verbosity(verbose), len(batches), start, {})
        return np.concatenate(outputs) if outputs else np.empty((0,), np.float32)

    # ---- single batches -----------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One ``train_step`` on the whole of ``(x, y)``; the loss is before the update."""
        self._assert_compiled("train_on_batch")
        self.reset_metrics()
        logs = self.train_step(_batch(self._arrays(x, y, sample_weight, class_weight), slice(None)))
        return logs if return_dict else self._flatten_logs(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        logs = self.test_step(_batch(self._arrays(x, y, sample_weight, None), slice(None)))
        return logs if return_dict else self._flatten_logs(logs)

    def predict_on_batch(self, x) -> np.ndarray:
        return self.predict_step(data_utils.to_tensor(data_utils.as_array(x, "x")))

    # ---- saving (keras.saving: a .keras zip of JSON and safetensors, no pickle) --------------
    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save architecture, weights, compile settings and optimizer state to ``*.keras``."""
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights alone to ``*.weights.safetensors``."""
        from ..saving.weights import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> None:
        """Load weights from ``*.weights.safetensors`` or a ``.keras`` archive."""
        from ..saving.weights import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    # ---- data ---------------------------------------------------------------------------------
    def _arrays(self, x, y, sample_weight, class_weight) -> list:
        x, y = data_utils.as_array(x, "x"), data_utils.as_array(y, "y")
        sample_weight = data_utils.as_array(sample_weight, "sample_weight")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
            sample_weight = data_utils.class_weights_to_sample_weights(y, class_weight)
        data_utils.check_cardinality(x=x, y=y, sample_weight=sample_weight)
        self._check_input_array(x)
        data_utils.check_training_data(self, x, y, sample_weight)  # NaN, labels out of range
        if self._autocasts(x.dtype):  # the cast the model makes on every call, made once here
            x = x.astype(self._dtype)
        return [x, y, sample_weight]

    def _check_input_array(self, x: np.ndarray) -> None:
        """Models that know their input shape check it here (Sequential does)."""

    def _validation_arrays(self, validation_data) -> list | None:
        if validation_data is None:
            return None
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(
                "`validation_data` should be a tuple `(x_val, y_val)` or `(x_val, "
                f"y_val, val_sample_weights)`, received {type(validation_data)}"
            )
        vx, vy, vsw = (*validation_data, None)[:3]
        try:
            return self._arrays(vx, vy, vsw, None)
        except InputError as error:  # say which data: `x` alone would point at the training set
            raise type(error)(f"In `validation_data`: {error}") from None


def _batch(arrays: list, index) -> tuple:
    return tuple(None if a is None else data_utils.to_tensor(a[index]) for a in arrays)


def _print_progress(verbose: int, steps: int, start: float, logs: dict) -> None:
    """``evaluate``'s and ``predict``'s line, as Keras 3 prints it when they end."""
    if verbose:
        seconds = time.perf_counter() - start
        line = progress_line if verbose == 1 else summary_line
        print(line(steps, steps, seconds, seconds / max(steps, 1), logs), flush=True)

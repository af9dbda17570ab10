"""``Trainer``: ``compile``, ``fit``, ``evaluate`` and ``predict`` for Keras models.

``fit`` is a plain loop with callback hooks: each batch goes through ``train_step`` (forward,
loss with regularization penalties, backward, one optimizer update, metrics on the predictions
made before the update), as Keras's torch backend does. Override ``train_step`` to customise.

Data may be an array or a list, tuple or dict of arrays (a model's several inputs): batches
take the same rows of every array, and each keeps its dtype. Per batch, the loop does only
what must be done per batch: data is checked and cast once, unheard hooks are not called, and
the trainable weights are walked from the layer tree once per ``fit`` when nothing can change
them.
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from .. import optimizers as optimizers_module
from ..callbacks.history import History
from ..callbacks.progbar_logger import ProgbarLogger, progress_line, summary_line
from ..layers import added_losses
from ..metrics.base import Mean
from ..utils.io_utils import print_msg
from . import data as data_utils
from . import training_data as data_entry
from .callback_list import CallbackList
from .compile_utils import to_float
from .fit_arguments import check_fit_arguments
from .model_metrics import ModelMetrics
from .multi_output import compiled_loss_and_metrics
from .step_data import pack_x_y_sample_weight, unpack_x_y_sample_weight

__all__ = ["Trainer"]


def _verbosity(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


class Trainer(ModelMetrics):
    """Mixed into ``Model``: the training API. The model must be a Layer (``__call__``,
    ``trainable_weights``, ``losses``). ``metrics`` and their results: ``model_metrics.py``."""

    compiled = False
    optimizer = None
    stop_training = False
    _step_weights = None  # (trainable weights, whether any is regularized), kept within a fit
    _keeps_step_weights = False  # whether nothing but fit's own callbacks can change them

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
        loss. A model with several outputs takes each argument per output (a list, or a dict
        keyed by output names: ``multi_output.py``). The execution options are accepted for
        Keras's signature.
        """
        compiled = compiled_loss_and_metrics(self, loss, loss_weights, metrics, weighted_metrics)
        self.optimizer = optimizers_module.get(optimizer)
        self.loss, self.loss_weights = loss, loss_weights
        self._compiled_loss, self._compiled_metrics = compiled
        self._loss_tracker = Mean(name="loss")
        self.compiled = True

    def _assert_compiled(self, method: str) -> None:
        if not self.compiled:
            raise ValueError(
                f"You must call `compile()` before calling `{method}()` on model '{self.name}'."
            )

    # ---- one step -----------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the regularization penalties (``self.losses``)."""
        terms = (
            [] if self._compiled_loss is None else [self._compiled_loss(y, y_pred, sample_weight)]
        )
        kept = self._weights_for_step()  # (kept[1]: whether any weight has a regularizer)
        if kept is None or kept[1] or added_losses.HOLDERS:  # (or a layer called add_loss)
            terms += [penalty.sum() for penalty in self.losses]
        if not terms:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict[str, float]:
        y_pred = y_pred.detach() if isinstance(y_pred, Tensor) else _detached(y_pred)
        self._compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data) -> dict[str, float]:
        """Forward, loss, backward and one optimizer update on one batch: ``x``, ``(x,)``,
        ``(x, y)`` or ``(x, y, sample_weight)``, as Keras packs it (``step_data.py``)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(to_float(loss), _batch_size(x))
        self._apply_gradients(loss)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _apply_gradients(self, loss: Tensor) -> None:
        kept = self._weights_for_step()
        params = self.trainable_weights if kept is None else kept[0]
        if not params:
            warnings.warn("The model does not have any trainable weights.", stacklevel=3)
            return
        for param in params:  # fresh gradients: only these are read (Module.zero_grad walks all)
            param.grad = None
        loss.backward()
        self.optimizer.apply_gradients([(g, p) for p in params if (g := p.grad) is not None])

    def _weights_for_step(self) -> tuple[list, bool] | None:
        """The trainable weights and whether any has a regularizer, or None: read them anew.
        Walking the layer tree costs more calls than the rest of a small model's step, so
        ``fit`` keeps its first step's answer (after the forward pass, which may build weights)
        while nothing can freeze or add a layer: the built-in train_step, no callbacks but
        History and the progress bar."""
        if self._keeps_step_weights and self._step_weights is None:
            object.__setattr__(self, "_step_weights", (self.trainable_weights, bool(self.losses)))
        return self._step_weights if self._keeps_step_weights else None

    def _keep_step_weights(self, keep: bool) -> None:
        object.__setattr__(self, "_keeps_step_weights", keep)
        object.__setattr__(self, "_step_weights", None)

    def test_step(self, data) -> dict[str, float]:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with no_grad():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(to_float(loss), _batch_size(x))
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
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ) -> History:
        """Train for ``epochs`` passes over ``(x, y)`` in batches (default 32); returns History.

        ``x`` is an array, or a list, tuple or dict of arrays (dict keys: input names) for a
        model with several inputs; a shuffle moves the rows of every array alike.
        ``validation_split`` keeps the last fraction of the samples aside (before shuffling);
        ``val_`` entries are then logged at the end of each epoch. Training runs from epoch
        ``initial_epoch`` up to ``epochs`` (an index, as in Keras, not a count). ``x`` may also
        be a ``keras.utils.PyDataset``, a generator of batches (``dataset_batches.py``) or a
        DataLoader (``loader_batches.py``); ``steps_per_epoch`` takes that many batches an
        epoch from one pass run across epochs (``epoch_batches.py``).
        """
        self._assert_compiled("fit")
        check_fit_arguments(
            epochs, initial_epoch, validation_split, validation_freq, validation_batch_size
        )
        validation = (validation_data, validation_split, validation_steps)
        arrays, batches, val_arrays = data_entry.fit_data(
            self, x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch,
            validation,
        )  # fmt: skip
        history, verbose = History(), _verbosity(verbose)
        params = {"verbose": verbose, "epochs": epochs, "steps": len(batches)}
        callbacks = list(callbacks or [])
        if verbose and not any(isinstance(c, ProgbarLogger) for c in callbacks):
            callbacks.insert(0, ProgbarLogger())  # as Keras 3: no progress bar when silent
        hooks = CallbackList([*callbacks, history], self, params)
        self.stop_training, logs = False, {}
        val_batching = (validation_batch_size or batch_size, validation_steps)
        self._initial_epoch = None  # BackupAndRestore sets it in on_train_begin, as in Keras
        quiet = all(type(c) in (History, ProgbarLogger) for c in hooks.callbacks)
        self._keep_step_weights(quiet and type(self).train_step is Trainer.train_step)
        try:
            hooks.on_train_begin()
            for epoch in range(self._initial_epoch or initial_epoch, epochs):
                logs = self._fit_epoch(epoch, batches, arrays, hooks)
                if val_arrays is not None and (epoch + 1) % validation_freq == 0:
                    logs.update(self._validation_logs(val_arrays, val_batching, hooks))
                hooks.on_epoch_end(epoch, logs)  # (sorted and flattened there, as Keras's)
                if self.stop_training:
                    break
            hooks.on_train_end(logs)
        finally:
            self._keep_step_weights(False)
        return history

    def _fit_epoch(self, epoch: int, batches, arrays: list, hooks) -> dict[str, float]:
        self.reset_metrics()
        if "on_epoch_begin" in hooks.listening:
            hooks.on_epoch_begin(epoch)
        quiet = hooks.listening.isdisjoint(("on_train_batch_begin", "on_train_batch_end"))
        logs = None
        for step, index in enumerate(batches):
            if not quiet:
                hooks.on_train_batch_begin(step)
            logs = self.train_step(_batch(arrays, index))
            if not quiet:
                hooks.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        # the last step's logs, when they are the metric results read after its updates and no
        # callback had them
        fresh = quiet and logs is not None and logs is self._latest_results
        return logs if fresh else self._metrics_result_or_logs(logs)

    def _validation_logs(self, val_arrays, batching: tuple, hooks) -> dict[str, float]:
        """``evaluate`` on the validation data (``batching``: its batch size and steps),
        calling fit's callbacks' test hooks as Keras does."""
        batch_size, steps = batching
        logs = self._evaluate_arrays(val_arrays, batch_size, hooks, 0, steps)
        return {f"val_{name}": value for name, value in logs.items()}

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
    ):
        """The loss and metrics over ``(x, y)``: a scalar when there are no metrics, else
        ``[loss, *metrics]`` in ``metrics_names`` order (or a dict with ``return_dict``)."""
        self._assert_compiled("evaluate")
        arrays = data_entry.evaluate_data(self, x, y, sample_weight, steps)
        logs = self._evaluate_arrays(arrays, batch_size, callbacks or [], verbose, steps)
        return logs if return_dict else self._flatten_logs(logs)

    def _evaluate_arrays(self, arrays, batch_size, callbacks, verbose, steps=None) -> dict:
        """``evaluate`` on data already checked; ``callbacks`` may be fit's CallbackList (its
        validation, every epoch), whose test hooks are then called too, as in Keras."""
        batches = data_entry.evaluation_batches(arrays, batch_size, steps)
        hooks = callbacks
        if not isinstance(hooks, CallbackList):
            params = {"verbose": verbose, "epochs": 1, "steps": len(batches)}
            hooks = CallbackList(callbacks, self, params)
        start, logs = time.perf_counter(), None
        hooks.on_test_begin()
        self.reset_metrics()
        quiet = hooks.listening.isdisjoint(("on_test_batch_begin", "on_test_batch_end"))
        for step, index in enumerate(batches):
            if not quiet:
                hooks.on_test_batch_begin(step)
            logs = self.test_step(_batch(arrays, index))
            if not quiet:
                hooks.on_test_batch_end(step, logs)
        logs = self._metrics_result_or_logs(logs)
        hooks.on_test_end(logs)
        _print_progress(_verbosity(verbose), len(batches), start, logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x`` (an array, or a list/dict of arrays for several
        inputs) as a NumPy array (a list/dict of them for several outputs), computed in
        batches (default 32)."""
        x, batches = data_entry.predict_data(self, x, batch_size, steps)
        params = {"verbose": _verbosity(verbose), "epochs": 1, "steps": len(batches)}
        hooks = CallbackList(callbacks or [], self, params)
        start, outputs = time.perf_counter(), []
        hooks.on_predict_begin()
        for step, index in enumerate(batches):
            hooks.on_predict_batch_begin(step)
            outputs.append(self.predict_step(data_entry.batch_inputs(x, index)))
            hooks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        hooks.on_predict_end()
        _print_progress(_verbosity(verbose), len(batches), start, {})
        return data_utils.concatenate(outputs)

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

    def predict_on_batch(self, x):
        return self.predict_step(data_utils.rows(self._input_data(x), slice(None)))

    # ---- saving (keras.saving: a .keras zip of JSON and safetensors, no pickle) --------------
    def save(self, filepath, overwrite: bool = True, **kwargs) -> None:
        """Save architecture, weights, compile settings and optimizer state to ``*.keras``
        (or, through h5py, architecture, weights and compile settings to a legacy ``*.h5``)."""
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite: bool = True) -> None:
        """Save the weights alone to ``*.weights.safetensors``."""
        from ..saving.weights import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch: bool = False) -> None:
        """Load weights from ``*.weights.safetensors``, a ``.keras`` archive, or a legacy
        Keras ``.h5`` file (by layer order, as Keras; needs h5py)."""
        from ..saving import legacy_h5
        from ..saving.weights import load_weights

        if legacy_h5.is_legacy_h5(filepath):
            legacy_h5.load_weights_h5(self, filepath, skip_mismatch=skip_mismatch)
            return
        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    # ---- data ---------------------------------------------------------------------------------
    def _arrays(self, x, y, sample_weight, class_weight) -> list:
        """``[x, y, sample_weight]`` checked once and cast once, ready to batch."""
        return data_entry.training_arrays(self, x, y, sample_weight, class_weight)

    def _input_data(self, x):
        """``x`` as arrays (one, or a structure of them), checked and cast as the model would
        cast them on every call: one array to the model's dtype (Keras's autocast), and
        float64 to float32."""
        x = data_utils.as_data(x, "x")
        if isinstance(x, np.ndarray):
            self._check_input_array(x)
            if self._autocasts(x.dtype):  # the cast the model makes on every call, made once
                x = x.astype(self._dtype)
        return data_utils.floatx(x)

    def _check_input_array(self, x: np.ndarray) -> None:
        """Models that know their input shape check it here (Sequential does)."""


def _batch(arrays: list, index):
    """The rows ``index`` of ``x``, ``y`` and the sample weights, as Tensors packed as Keras
    hands them to ``train_step``: ``x``, ``(x, y)`` or ``(x, y, sample_weight)``; from a
    PyDataset or a generator (not a list), its raw batch ``index``."""
    if type(arrays) is not list:
        return arrays.batch(index)
    x, y, weights = arrays
    rows = data_utils.rows
    y, weights = rows(y, index), None if weights is None else rows(weights, index)
    return pack_x_y_sample_weight(rows(x, index), y, weights)


def _detached(y_pred):
    """The predictions of several outputs (a list, tuple or dict), out of the graph."""
    return data_utils.map_data(lambda tensor, _: tensor.detach(), y_pred, "y_pred")


def _batch_size(x) -> int:
    """The number of samples in a batch of inputs (a Tensor, or a structure of them)."""
    if isinstance(x, Tensor):
        return x.shape[0]
    return data_utils.named_leaves(x, "x")[0][1].shape[0]


def _print_progress(verbose: int, steps: int, start: float, logs: dict) -> None:
    """``evaluate``'s and ``predict``'s line, as Keras 3 prints it when they end."""
    if verbose:
        seconds = time.perf_counter() - start
        line = progress_line if verbose == 1 else summary_line
        print_msg(line(steps, steps, seconds, seconds / max(steps, 1), logs))

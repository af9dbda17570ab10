"""W6, latency and footprint: one-row inference of the article's model, and ``import`` time.

W6a and W6b call ``predict(row, verbose=0)`` and ``predict_on_batch(row)`` on the article's
2-10-10-1 Keras model (built, not trained: the weights do not change the cost) many times and
take the median per call, ``nnscratch.keras`` against Keras 3. W6c times ``import nnscratch``
against ``import torch``, each in a fresh interpreter (perf_counter around the import
statement), after one untimed import that leaves the modules' bytecode caches written, as
on any machine after its first import (pip precompiles them for a regular install; a
``PYTHONDONTWRITEBYTECODE`` environment would make every import compile nnscratch's sources
while torch's were compiled at install). Its RSS column is that interpreter's peak RSS. The
memory target compares W3's peak RSS, read from W3's own runs by the report.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from functools import partial

import numpy as np

from ..registry import Unavailable, Variant, Workload
from ..timing import measure, result
from .common import keras_module

ROW = np.array([[1.0, 0.0]], dtype=np.float32)
# The import's seconds, then its process's peak RSS in KiB (Linux's ru_maxrss unit).
IMPORT_CODE = (
    "import resource, time; t = time.perf_counter(); import {0}; t = time.perf_counter() - t; "
    "print(t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def article_model(keras):
    """The article's 2-10-10-1 model (relu, relu, sigmoid), built by its Input layer."""
    keras.utils.set_random_seed(5)
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(2,)))
    model.add(keras.layers.Dense(10, activation="relu"))
    model.add(keras.layers.Dense(10, activation="relu"))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


def _latency(framework: str, method: str):
    def run(params: dict) -> dict:
        model = article_model(keras_module(framework))
        if method == "predict":
            call = partial(model.predict, ROW, verbose=0)
        else:
            call = partial(model.predict_on_batch, ROW)
        times = measure(call, params["warm_calls"], params["calls"])
        return result(times, 1)

    return run


def import_cost(module: str) -> tuple[float, float]:
    """Seconds to ``import module`` in a fresh interpreter (its own imports included), and
    that interpreter's peak RSS in MiB afterwards."""
    code = IMPORT_CODE.format(module)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    seconds, rss_kib = done.stdout.split()[-2:]
    return float(seconds), int(rss_kib) / 1024


def _import(module: str):
    def run(params: dict) -> dict:
        if importlib.util.find_spec(module) is None:
            raise Unavailable(f"{module} is not installed")
        import_cost(module)  # untimed: writes the bytecode caches if they are missing
        costs = [import_cost(module) for _ in range(params["runs"])]
        return result([t for t, _ in costs], 1, peak_rss_mb=max(rss for _, rss in costs))

    return run


def _calls(warm: int, calls: int, repeats: int) -> dict:
    return {"warm_calls": warm, "calls": calls, "repeats": repeats}


_LATENCY_SIZES = {"full": _calls(20, 300, 3), "quick": _calls(10, 100, 2), "smoke": _calls(1, 3, 1)}


def _latency_workload(key: str, method: str) -> Workload:
    return Workload(
        key=key,
        title=f"article model, one row: {method} latency (median per call)",
        unit="calls/s",
        reference=f"keras 3 {method}",
        variants=(
            Variant(f"nnscratch.keras {method}", "nnscratch", _latency("nnscratch", method)),
            Variant(f"keras 3 {method}", "keras", _latency("keras", method)),
        ),
        sizes=_LATENCY_SIZES,
    )


PREDICT = _latency_workload("W6a", "predict")
PREDICT_ON_BATCH = _latency_workload("W6b", "predict_on_batch")
IMPORT = Workload(
    key="W6c",
    title="import time in a fresh interpreter",
    unit="imports/s",
    reference="import torch",
    variants=(
        Variant("import nnscratch", "nnscratch", _import("nnscratch")),
        Variant("import torch", "torch", _import("torch")),
    ),
    sizes={
        "full": {"runs": 1, "repeats": 7},
        "quick": {"runs": 1, "repeats": 3},
        "smoke": {"runs": 1, "repeats": 1},
    },
)

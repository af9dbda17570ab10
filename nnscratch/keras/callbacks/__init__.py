"""Keras callbacks: hooks that ``fit`` calls each epoch and batch.

>>> from nnscratch import keras
>>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
>>> type(stop).__name__, stop.patience
('EarlyStopping', 2)
"""

from .backup_and_restore import BackupAndRestore
from .callback import Callback
from .callback_list import CallbackList
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint, load_weights_npz, save_weights_npz
from .monitor_callback import MonitorCallback
from .progbar_logger import ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau
from .tensorboard import TensorBoard
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TensorBoard",
    "TerminateOnNaN",
    "load_weights_npz",
    "save_weights_npz",
]


def __getattr__(name: str):
    # Keras names nnscratch does not build raise NotImplementedError saying why (not_built.py).
    from ..not_built import refuse

    return refuse("callbacks", name)

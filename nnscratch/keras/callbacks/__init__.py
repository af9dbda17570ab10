"""Keras callbacks: hooks that ``fit`` calls each epoch and batch.

>>> from nnscratch import keras
>>> stop = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
>>> type(stop).__name__, stop.patience
('EarlyStopping', 2)
"""

from .backup_and_restore import BackupAndRestore
from .callback import Callback
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint, load_weights_npz, save_weights_npz
from .monitor_callback import MonitorCallback
from .progbar_logger import ProgbarLogger
from .reduce_lr_on_plateau import ReduceLROnPlateau
from .terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "MonitorCallback",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
    "load_weights_npz",
    "save_weights_npz",
]

"""Saving and loading without pickle: safetensors files and atomic writes.

- ``save(obj, path)`` / ``load(path)``: nested containers of Tensors, arrays and JSON values
  in one safetensors file (also exported as ``nnscratch.save`` / ``nnscratch.load``);
- ``module_state`` / ``module_load``: whole ``nn.Module`` objects in those files, described
  without code, loaded under torch's ``weights_only`` allow-list (``safe_globals``);
- ``safetensors``: our own reader and writer of the format (``save_file``, ``load_file``);
- ``npz``: ``.npz`` archives written atomically and read strictly (``write_npz``, ``read_npz``);
- ``atomic_write``: write a file so that a crash leaves the old one intact (and the next save
  removes what a killed one left);
- ``sniff``: what a file is (zip, HDF5, pickle, ...), for errors about files of the wrong kind.

Readers raise ``nnscratch.errors.FileFormatError`` on anything malformed, and never run code
from a file.
"""

from . import npz, safetensors, sniff
from .atomic import atomic_write
from .safetensors import load_file, save_file
from .state import load, save

__all__ = ["atomic_write", "load", "load_file", "npz", "safetensors", "save", "save_file", "sniff"]

"""``torch.backends``: which compute libraries are present. nnscratch has NumPy on the CPU.

>>> import nnscratch as ns
>>> ns.backends.mps.is_available(), ns.backends.cudnn.is_available()
(False, False)
"""

from . import cudnn, mps, quantized

__all__ = ["cudnn", "mps", "quantized"]

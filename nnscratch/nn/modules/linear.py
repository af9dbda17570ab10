"""``torch.nn.modules.linear``: the names torch defines there, re-exported.

``NonDynamicallyQuantizableLinear`` is torch's marker subclass for MultiheadAttention's output
projection (it only matters to quantization); here it is ``Linear`` itself.
"""

from ..lazy import LazyLinear
from ..linear import Identity, Linear

NonDynamicallyQuantizableLinear = Linear

__all__ = ["Identity", "Linear", "LazyLinear", "NonDynamicallyQuantizableLinear"]

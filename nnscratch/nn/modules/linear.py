"""``torch.nn.modules.linear``: the names torch defines there, re-exported.

``NonDynamicallyQuantizableLinear`` is torch's marker subclass for MultiheadAttention's output
projection (it only matters to quantization); it is the class ``nn.MultiheadAttention`` uses,
so allowing it for ``load`` (``serialization.safe_globals``) allows that projection.
"""

from ..attention import NonDynamicallyQuantizableLinear
from ..lazy import LazyLinear
from ..linear import Identity, Linear

__all__ = ["Identity", "Linear", "LazyLinear", "NonDynamicallyQuantizableLinear"]

"""The differentiable ops: each a ``Function`` with forward and backward on NumPy arrays.

This is the only place in nnscratch where derivatives are written. Each module also offers
torch-style functions (``sum(input, dim, keepdim)``) that check arguments and call the op.
"""

from .accumulate import *  # noqa: F403
from .accumulate import __all__ as _accumulate
from .activation import *  # noqa: F403
from .activation import __all__ as _activation
from .arithmetic import *  # noqa: F403
from .arithmetic import __all__ as _arithmetic
from .binary_math import *  # noqa: F403
from .binary_math import __all__ as _binary_math
from .cast import *  # noqa: F403
from .cast import __all__ as _cast
from .classification_loss import *  # noqa: F403
from .classification_loss import __all__ as _classification_loss
from .compare import *  # noqa: F403
from .compare import __all__ as _compare
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: F401  (torch.conv2d)
from .creation import *  # noqa: F403
from .creation import __all__ as _creation
from .decomposition import *  # noqa: F403
from .decomposition import __all__ as _decomposition
from .elementwise import *  # noqa: F403
from .elementwise import __all__ as _elementwise
from .exponential import *  # noqa: F403
from .exponential import __all__ as _exponential
from .indexing import *  # noqa: F403
from .inplace_functions import *  # noqa: F403
from .inplace_functions import __all__ as _inplace_functions
from .indexing import __all__ as _indexing
from .linalg import linear  # noqa: F401  (in nn.functional, as in torch)
from .loss import *  # noqa: F403
from .logical import *  # noqa: F403
from .logical import __all__ as _logical
from .loss import __all__ as _loss
from .matrix import *  # noqa: F403
from .matrix import __all__ as _matrix
from .movement import *  # noqa: F403
from .movement import __all__ as _movement
from .norm import *  # noqa: F403
from .norm import __all__ as _norm
from .pointwise import *  # noqa: F403
from .pointwise import __all__ as _pointwise
from .rearrange import *  # noqa: F403
from .rearrange import __all__ as _rearrange
from .sampling import *  # noqa: F403
from .sampling import __all__ as _sampling
from .scatter import *  # noqa: F403
from .scatter import __all__ as _scatter
from .sorting import *  # noqa: F403
from .sorting import __all__ as _sorting
from .tensor_types import *  # noqa: F403
from .tensor_types import __all__ as _tensor_types

# torch.layer_norm and torch.group_norm take F's arguments; torch.batch_norm and
# torch.embedding take theirs in another order, so those two stay in nn.functional only.
from .normalization import group_norm, layer_norm  # noqa: F401
from .padding import pad  # noqa: F401  (in nn.functional, not at the top level, as in torch)
from .pooling import adaptive_avg_pool1d, avg_pool1d, max_pool1d, max_pool2d  # noqa: F401  (torch's)
from .reduce import *  # noqa: F403
from .regression_loss import *  # noqa: F403
from .regression_loss import __all__ as _regression_loss
from .reduce import __all__ as _reduce
from .softmax import *  # noqa: F403
from .softmax import __all__ as _softmax

__all__ = [
    *_inplace_functions,
    *_activation, *_arithmetic, *_cast, *_compare, *_creation,
    *_elementwise, *_indexing, *_loss, *_movement, *_reduce, *_softmax,
    *_classification_loss, *_regression_loss, *_rearrange, *_sampling, *_scatter, *_sorting,
    *_tensor_types, *_accumulate, *_binary_math, *_decomposition, *_logical, *_matrix, *_norm,
    *_pointwise, *_exponential, "layer_norm", "group_norm",
    "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d", "max_pool2d",
    "avg_pool1d", "adaptive_avg_pool1d",
]  # fmt: skip


def __getattr__(name: str):
    # torch.ops is torch's registry of compiled kernels (torch.ops.aten.gelu); nnscratch's ops
    # are the Python functions in this package.
    if name in ("aten", "prims", "quantized"):
        raise NotImplementedError(
            f"torch.ops.{name}: torch's registry of compiled kernels; nnscratch's ops are the "
            "Python functions of nnscratch.ops and nnscratch.nn.functional (F.gelu, ...)"
        )
    raise AttributeError(f"module 'nnscratch.ops' has no attribute {name!r}")

"""Functional forms of the layers, as ``torch.nn.functional``: activations, softmax, ``pad``,
``linear``, ``dropout`` and the losses."""

from ..ops.activation import *  # noqa: F403
from ..ops.attention import scaled_dot_product_attention  # noqa: F401
from ..ops.classification_loss import *  # noqa: F403
from ..ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: F401
from ..ops.dropout import dropout  # noqa: F401
from ..ops.elementwise import tanh  # noqa: F401  (torch.nn.functional.tanh)
from ..ops.embedding import embedding  # noqa: F401
from ..ops.linalg import linear  # noqa: F401
from ..ops.loss import *  # noqa: F403
from ..ops.normalization import batch_norm, group_norm, layer_norm  # noqa: F401
from ..ops.padding import pad  # noqa: F401
from ..ops.pooling import *  # noqa: F403
from ..ops.regression_loss import *  # noqa: F403
from ..ops.scatter import one_hot  # noqa: F401
from ..ops.similarity_loss import *  # noqa: F403
from ..ops.softmax import *  # noqa: F403

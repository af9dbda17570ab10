"""``keras.ops``: Keras 3's backend-agnostic op namespace, over nnscratch's differentiable ops.

``from nnscratch.keras import ops`` gives the functions that keras.io code calls in a layer's
``call`` or a custom ``train_step``: ``ops.mean``, ``ops.matmul``, ``ops.relu``,
``ops.convert_to_tensor``... Each takes nnscratch Tensors, NumPy arrays or Python numbers, and
returns an nnscratch ``Tensor`` built by ``nnscratch.ops``, so gradients flow through it.
Keras's signatures and defaults are kept (``axis=`` and ``keepdims=``, not torch's ``dim=``).

The functions live by kind, as Keras groups them: the NumPy-like part (elementwise math,
reductions, creation, shapes, indexing, products, sorting), ``nn``, ``core``, ``math`` and
``linalg``. A Keras op that nnscratch cannot express raises ``NotImplementedError`` naming it
(``docs/keras-coverage.md`` lists each name's status).
"""

# The NumPy-like part: elementwise math, comparisons and reductions.
from .elementwise import *
from .trigonometry import *
from .reductions import *
from .bitwise import *
from .statistics import *

# The NumPy-like part: creation, shapes, indexing, products and sorting.
from .creation import *
from .shaping import *
from .indexing import *
from .products import *
from .sorting import *

# nn, core, math and linalg.
from .nn import *
from .core import *
from .math import *
from .linalg import *
from .einops import *  # rearrange
from . import image, linalg, nn, numpy  # noqa: E402  (keras.ops.nn.relu, keras.ops.numpy.mean)

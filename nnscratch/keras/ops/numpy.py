"""``keras.ops.numpy``: the NumPy-like ops under Keras's submodule name (``keras.ops.numpy.mean``
is ``keras.ops.mean``)."""

from .bitwise import *
from .creation import *
from .elementwise import *
from .indexing import *
from .products import *
from .reductions import *
from .shaping import *
from .sorting import *
from .statistics import *
from .trigonometry import *

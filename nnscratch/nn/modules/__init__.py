"""``torch.nn.modules``: one small module per file name of torch's, each re-exporting the
classes nnscratch has under that name, so that code naming torch's paths
(``nn.modules.linear.Linear`` in ``torch.serialization.safe_globals([...])``,
``nn.modules.module.Module``) finds them. The classes themselves live in ``nnscratch.nn``.

>>> import nnscratch as ns
>>> ns.nn.modules.linear.Linear is ns.nn.Linear, ns.nn.modules.module.Module is ns.nn.Module
(True, True)
"""

from . import (
    activation,
    batchnorm,
    container,
    conv,
    distance,
    dropout,
    flatten,
    lazy,
    linear,
    loss,
    module,
    normalization,
    pooling,
    rnn,
    sparse,
    transformer,
)
from .activation import *  # noqa: F403
from .batchnorm import *  # noqa: F403
from .container import *  # noqa: F403
from .conv import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .module import *  # noqa: F403
from .normalization import *  # noqa: F403
from .pooling import *  # noqa: F403
from .rnn import *  # noqa: F403
from .sparse import *  # noqa: F403
from .transformer import *  # noqa: F403

"""``torch.distributions``, the commonly used part: ``Normal``, ``Categorical``,
``Bernoulli`` and ``Multinomial``, with ``sample``, ``log_prob``, ``entropy``, ``mean`` and
``stddev`` where defined. ``log_prob`` and ``entropy`` are differentiable in the parameters.

>>> import nnscratch as ns
>>> from nnscratch.distributions import multinomial
>>> _ = ns.manual_seed(0)
>>> multinomial.Multinomial(1, ns.ones(6) / 6).sample().sum().item()
1.0
"""

from . import bernoulli, categorical, multinomial, normal
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .multinomial import Multinomial
from .normal import Normal

__all__ = ["Bernoulli", "Categorical", "Distribution", "Multinomial", "Normal", "bernoulli",
           "categorical", "multinomial", "normal"]  # fmt: skip

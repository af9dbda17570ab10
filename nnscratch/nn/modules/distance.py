"""``torch.nn.modules.distance``: the names torch defines there, re-exported."""

from ..distance import CosineSimilarity, PairwiseDistance

__all__ = ["CosineSimilarity", "PairwiseDistance"]

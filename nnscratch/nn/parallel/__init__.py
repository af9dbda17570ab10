"""``torch.nn.parallel``: running a model on several devices or processes.

``DataParallel`` runs the model as it is (nnscratch has one device, the CPU). The
collectives that split work across GPUs raise ``NotImplementedError``; data-parallel training
across processes goes through MPI (``nnscratch.distributed``), not these.
"""

from __future__ import annotations

from ...errors import refusal
from ..data_parallel import DataParallel

__all__ = ["DataParallel", "DistributedDataParallel", "gather", "parallel_apply", "replicate",
           "scatter"]  # fmt: skip


def _across_gpus(name: str):
    message = (
        f"torch.nn.parallel.{name}: nnscratch has no GPUs to spread work over; it computes "
        "on the CPU with NumPy. Call the model on the whole batch."
    )
    return refusal(name, NotImplementedError, message)


scatter = _across_gpus("scatter")
gather = _across_gpus("gather")
replicate = _across_gpus("replicate")
parallel_apply = _across_gpus("parallel_apply")


class DistributedDataParallel:
    """Raises ``NotImplementedError``: multi-process training is not built yet."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "torch.nn.parallel.DistributedDataParallel: multi-process data-parallel training "
            "is not supported yet; train in one process"
        )

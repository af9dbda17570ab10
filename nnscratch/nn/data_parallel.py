"""``DataParallel``: torch's single-process multi-GPU wrapper, as torch runs it without GPUs."""

from __future__ import annotations

from ..errors import DeviceError
from .module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Runs ``module`` as it is: torch's ``DataParallel`` on a machine without GPUs.

    torch splits each batch across GPUs; with none it calls the wrapped module unchanged, and
    so does this (nnscratch computes on the CPU). The wrapped module is ``.module``, so the
    state_dict keys carry torch's ``module.`` prefix. Naming GPUs in ``device_ids`` or
    ``output_device`` raises ``DeviceError``.

    >>> import nnscratch as ns
    >>> model = ns.nn.DataParallel(ns.nn.Linear(2, 3))
    >>> list(model.state_dict()), model(ns.zeros(4, 2)).shape, model.device_ids
    (['module.weight', 'module.bias'], (4, 3), [])
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel expects an nn.Module, received {type(module).__name__}")
        for name, value in (("device_ids", device_ids), ("output_device", output_device)):
            if value is not None and (not isinstance(value, (list, tuple)) or len(value)):
                raise DeviceError(
                    f"DataParallel: {name}={value!r} names GPUs, and nnscratch computes on the "
                    "CPU with NumPy; leave device_ids and output_device out to run the module "
                    "as it is"
                )
        self.module = module
        self.device_ids: list = []
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)

"""Reverse-mode automatic differentiation on NumPy arrays."""

from .tensor import Tensor  # noqa: I001  (Tensor first: the modules below build on it)
from .differentiate import backward, grad
from .function import Context, Function
from . import functional  # torch.autograd.functional: jacobian, vjp, jvp
from .gradcheck import GradcheckError, gradcheck
from . import profiler
from .grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)  # fmt: skip

__all__ = [
    "Tensor", "Function", "Context", "backward", "grad", "gradcheck", "GradcheckError",
    "no_grad", "enable_grad", "inference_mode", "is_inference_mode_enabled",
    "is_grad_enabled", "set_grad_enabled",
]  # fmt: skip

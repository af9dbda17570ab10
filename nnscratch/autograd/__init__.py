"""Reverse-mode automatic differentiation on NumPy arrays."""

from .tensor import Tensor  # noqa: I001  (Tensor first: the modules below build on it)
from .engine import backward
from .function import Context, Function
from .gradcheck import GradcheckError, gradcheck
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = [
    "Tensor", "Function", "Context", "backward", "gradcheck", "GradcheckError",
    "no_grad", "enable_grad", "is_grad_enabled", "set_grad_enabled",
]  # fmt: skip

"""``Module``: the base of every layer and model, as ``torch.nn.Module``.

Assigning a ``Parameter`` or a ``Module`` to an attribute registers it (``__setattr__``), which
is what gives every parameter a stable dotted name (``layers.0.weight``) for ``state_dict``.
This file is the tree (registering, walking, modes, casting, printing); saving and loading the
state by those names is ``state_dict.py``, which ``Module`` inherits.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from ..autograd.device import parse_to, resolve
from ..autograd.dtypes import to_dtype
from ..autograd.tensor import Tensor
from ..io.module_state import register_nn
from .hooks import call_with_hooks, module_hooks
from .parameter import Parameter
from .state_dict import StateDictMixin

__all__ = ["Module"]


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (a child's repr sits after its "(name): ")."""
    first, *rest = text.split("\n")
    return "\n".join([first, *(" " * spaces + line for line in rest)])


class Module(StateDictMixin):
    """Base class for layers and models: subclass it, assign layers in ``__init__``, write
    ``forward``, and call the module.

    >>> import nnscratch as ns
    >>> class TwoLayer(ns.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = ns.nn.Linear(2, 3)
    ...         self.out = ns.nn.Linear(3, 1)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = TwoLayer()
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> model(ns.zeros(4, 2)).shape
    (4, 1)
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__: our __setattr__ reads these dictionaries, so they come first.
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", OrderedDict())
        set_(self, "_buffers", OrderedDict())
        set_(self, "_non_persistent_buffers_set", set())
        set_(self, "_modules", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    _hooks = None  # a hooks.ModuleHooks once a hook is registered (nn/hooks.py)

    def __call__(self, *args, **kwargs):
        if self._hooks is None:  # the common case costs this one check
            return self.forward(*args, **kwargs)
        return call_with_hooks(self, args, kwargs)

    # ---- hooks: torch's names and semantics, the machinery in hooks.py -----------------------
    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs=False):
        """``hook(module, args)`` runs before ``forward``; a returned value replaces args."""
        return module_hooks(self).add("forward_pre", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs=False):
        """``hook(module, args, output)`` runs after ``forward``; a returned value replaces
        the output."""
        return module_hooks(self).add("forward", hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False):
        """``hook(module, grad_output)`` runs when the outputs' gradients are known; a returned
        tuple replaces them."""
        return module_hooks(self).add("backward_pre", hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """``hook(module, grad_input, grad_output)`` runs when the gradients with respect to
        the tensor inputs are known; a returned tuple replaces ``grad_input``."""
        return module_hooks(self).add("backward", hook, prepend)

    # ---- registration -------------------------------------------------------------------------
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a ``None`` placeholder, as a bias-free layer's ``bias``)."""
        self._check_new_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nnscratch.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not trained (running statistics, masks)."""
        self._check_new_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(nnscratch Tensor or None required)"
            )
        self._buffers[name] = tensor
        (set.discard if persistent else set.add)(self._non_persistent_buffers_set, name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module, reachable as an attribute and in dotted names."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, "module", "_modules")
        self._modules[name] = module

    register_module = add_module

    def _check_new_name(self, name, kind: str, table: str, taken_ok: bool = False) -> None:
        if table not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, received {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", received "{name}"')
        if not taken_ok and hasattr(self, name) and name not in self.__dict__[table]:
            raise KeyError(f"attribute '{name}' already exists")

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, Parameter):
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            self._check_new_name(name, "module", "_modules", taken_ok=True)  # as torch
            self._forget(name, keep="_modules")
            self._modules[name] = value
        elif not self._assign_registered(name, value):
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from the other tables; in ``keep`` it is replaced where it stands."""
        self.__dict__.pop(name, None)
        for table in {"_parameters", "_buffers", "_modules"} - {keep}:
            self.__dict__.get(table, {}).pop(name, None)
        self.__dict__.get("_non_persistent_buffers_set", set()).discard(name)

    def _assign_registered(self, name: str, value) -> bool:
        """Reassign a registered name (``None``, or a Tensor for a buffer); False if not one."""
        for table, kind, allowed in (
            ("_parameters", "parameter", ()),
            ("_modules", "module", ()),
            ("_buffers", "buffer", (Tensor,)),
        ):
            if name in self.__dict__.get(table, ()):
                if value is not None and not isinstance(value, allowed):
                    raise TypeError(
                        f"cannot assign '{type(value).__name__}' as {kind} '{name}' "
                        f"({'Tensor' if allowed else f'a {kind.capitalize()}'} or None expected)"
                    )
                self.__dict__[table][name] = value
                return True
        return False

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: registered names live in the three tables.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in ("_parameters", "_buffers", "_modules"):
            if name in self.__dict__[table]:
                del self.__dict__[table][name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._parameters, *self._buffers, *self._modules})

    # ---- traversal ----------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate=True):
        """This module and all below it, with dotted names; a shared module appears once."""
        memo = set() if memo is None else memo
        if remove_duplicate and self in memo:
            return
        memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                child_prefix = f"{prefix}.{name}" if prefix else name
                yield from module.named_modules(memo, child_prefix, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool, remove_duplicate: bool):
        """(dotted name, tensor) from one table of every module; shared tensors once."""
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """(dotted name, parameter) pairs, the names ``state_dict`` uses."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter once (shared ones too), e.g. for an optimizer."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        """The module at a dotted path (``"layers.0"``); ``""`` is this module."""
        module = self
        for name in target.split(".") if target else []:
            if name not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
            module = module._modules[name]
        return module

    # ---- modes and bulk changes ---------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode here and below (Dropout and BatchNorm behave differently)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter (``None`` by default, as torch 2)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad.zero_()

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every submodule, children first, then on this module."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> Module:
        """Cast floating parameters and buffers in place (the same Parameter objects stay).

        Takes torch's forms: a dtype, a device (``"cpu"``: NumPy has one device, nothing
        moves), both, or a tensor (its dtype).

        >>> import nnscratch as ns
        >>> ns.nn.Linear(2, 1).to("cpu", ns.float64).weight.dtype
        dtype('float64')
        """
        _, dtype, _ = parse_to(f"{self._get_name()}.to", args, kwargs)
        return self if dtype is None else self._cast(_floating_dtype(dtype))

    def float(self) -> Module:
        return self._cast(np.dtype("float32"))

    def double(self) -> Module:
        return self._cast(np.dtype("float64"))

    def type(self, dst_type) -> Module:
        """Cast floating parameters and buffers to ``dst_type`` (a float dtype), in place."""
        return self._cast(_floating_dtype(dst_type))

    def half(self) -> Module:
        return self._cast(np.dtype("float16"))

    def cpu(self) -> Module:
        return self

    def cuda(self, device=None) -> Module:
        """Always raises: nnscratch computes on the CPU."""
        resolve(f"{self._get_name()}.cuda", "cuda")

    def _cast(self, dtype: np.dtype) -> Module:
        for module in self.modules():
            for param in module._parameters.values():
                if param is not None and param.is_floating_point():
                    param.data = param.data.to(dtype)
                    if param.grad is not None:
                        param.grad = param.grad.to(dtype)
            for name, buffer in module._buffers.items():
                if buffer is not None and buffer.is_floating_point():
                    module._buffers[name] = buffer.to(dtype)
        return self

    # ---- printing -----------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses; layers override it with their settings."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra = extra.split("\n") if extra else []
        children = [f"({name}): {_addindent(repr(m), 2)}" for name, m in self._modules.items()]
        if len(extra) == 1 and not children:
            return f"{self._get_name()}({extra[0]})"
        lines = extra + children
        return f"{self._get_name()}(" + ("\n  " + "\n  ".join(lines) + "\n" if lines else "") + ")"


register_nn(Module, Parameter)  # whole-module save/load: io sits below nn, so nn tells it


def _floating_dtype(dtype) -> np.dtype:
    dtype = to_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(
            f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}"
        )
    return dtype

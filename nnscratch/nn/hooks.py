"""Module hooks, as ``torch.nn.Module``'s: forward pre-hooks, forward hooks, and full backward
(pre-)hooks, each registered on one module and removed through its handle.

A module without hooks keeps ``_hooks = None`` (a class attribute), and ``Module.__call__``
checks only that; once every hook is removed, the next call drops the empty tables.

The backward hooks are built from tensor hooks: the tensor inputs that need a gradient pass
through one flat tensor (a ``cat`` of them, or a ``reshape`` of the only one), and so do the
outputs. A tensor hook on the inputs' flat tensor then sees every ``grad_input`` at once, after
a hook on the outputs' one has seen every ``grad_output``: the module's hooks run once per
backward pass and may replace what they see, as in torch.

>>> import nnscratch as ns
>>> layer = ns.nn.Linear(2, 1)
>>> seen = []
>>> handle = layer.register_forward_hook(lambda module, args, output: seen.append(output.shape))
>>> _ = layer(ns.zeros(3, 2)); handle.remove(); _ = layer(ns.zeros(4, 2)); seen
[(3, 1)]
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from ..autograd import grad_mode
from ..autograd.hooks import RemovableHandle
from ..autograd.tensor import Tensor
from ..ops.movement import cat

__all__ = ["ModuleHooks", "module_hooks", "call_with_hooks"]


class ModuleHooks:
    """One module's hooks by kind, in call order, and which of them take ``kwargs``."""

    __slots__ = ("forward_pre", "forward", "backward_pre", "backward", "with_kwargs")

    def __init__(self) -> None:
        self.forward_pre: OrderedDict[int, Callable] = OrderedDict()
        self.forward: OrderedDict[int, Callable] = OrderedDict()
        self.backward_pre: OrderedDict[int, Callable] = OrderedDict()
        self.backward: OrderedDict[int, Callable] = OrderedDict()
        self.with_kwargs: set[int] = set()

    def add(self, kind: str, hook: Callable, prepend: bool = False,
            with_kwargs: bool = False) -> RemovableHandle:  # fmt: skip
        """Register ``hook`` in the ``kind`` table; the handle's ``remove()`` takes it out."""
        if not callable(hook):
            raise TypeError(f"Module hook: expected a callable, received {type(hook).__name__}")
        table = getattr(self, kind)
        handle = RemovableHandle(table)
        table[handle.id] = hook
        if prepend:
            table.move_to_end(handle.id, last=False)
        if with_kwargs:
            self.with_kwargs.add(handle.id)
        return handle

    def any(self) -> bool:
        """Whether any hook is registered."""
        return bool(self.forward_pre or self.forward or self.backward_pre or self.backward)


def module_hooks(module) -> ModuleHooks:
    """``module``'s hooks, created on the first registration."""
    if module._hooks is None:
        module._hooks = ModuleHooks()
    return module._hooks


def call_with_hooks(module, args: tuple, kwargs: dict):
    """``module.forward(*args, **kwargs)`` with the hooks around it, in torch's order."""
    hooks = module._hooks
    if not hooks.any():  # every hook was removed: back to the one-check path of __call__
        del module.__dict__["_hooks"]
        return module.forward(*args, **kwargs)
    args, kwargs = _run_pre_hooks(module, hooks, args, kwargs)
    backward = _BackwardCall(module, hooks) if hooks.backward or hooks.backward_pre else None
    if backward is not None:
        args = backward.wrap_inputs(args)
    output = module.forward(*args, **kwargs)
    for key, hook in list(hooks.forward.items()):
        if key in hooks.with_kwargs:
            result = hook(module, args, kwargs, output)
        else:
            result = hook(module, args, output)
        if result is not None:
            output = result
    return output if backward is None else backward.wrap_outputs(output)


def _run_pre_hooks(module, hooks: ModuleHooks, args: tuple, kwargs: dict):
    for key, hook in list(hooks.forward_pre.items()):
        if key in hooks.with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"forward pre-hook of {type(module).__name__} registered with "
                        f"with_kwargs=True must return None or a tuple (args, kwargs), "
                        f"received {type(result).__name__}"
                    )
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def _funnel(tensors: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
    """One flat tensor through which every tensor's gradient passes, and views of it shaped
    as the tensors (what the module computes with, or what its caller receives)."""
    if len(tensors) == 1:
        flat = tensors[0].reshape(-1)
    else:
        dtypes = {t.dtype for t in tensors}
        if len(dtypes) > 1:
            raise NotImplementedError(
                "Module backward hooks: the tensors that need a gradient must share one dtype, "
                f"received {sorted(map(str, dtypes))}"
            )
        flat = cat([t.reshape(-1) for t in tensors])
    return flat, _split(flat, tensors)


def _split(flat: Tensor, like: list[Tensor]) -> list[Tensor]:
    """``flat`` cut into pieces shaped as the tensors in ``like``."""
    parts, start = [], 0
    for t in like:
        parts.append(flat[start : start + t.numel()].reshape(t.shape))
        start += t.numel()
    return parts


def _join(grads, like: list[Tensor], where: str) -> Tensor:
    """A hook's replacement gradients as one flat tensor (``None`` counts as zeros)."""
    if len(grads) != len(like):
        raise RuntimeError(
            f"{where} returned {len(grads)} gradients, expected {len(like)} (one per tensor)"
        )
    flat = [(t.detach() * 0 if g is None else g.detach()).reshape(-1) for g, t in zip(grads, like)]
    return flat[0] if len(flat) == 1 else cat(flat)


class _BackwardCall:
    """One forward call's backward hooks: where the tensors sit, and the grad_output seen."""

    def __init__(self, module, hooks: ModuleHooks) -> None:
        self.module, self.hooks = module, hooks
        self.n_args, self.in_positions, self.inputs = 0, [], []
        self.grad_output: tuple = ()

    def wrap_inputs(self, args: tuple) -> tuple:
        self.n_args = len(args)
        self.in_positions = [
            i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad
        ]
        if not self.in_positions or not grad_mode.is_grad_enabled():
            self.in_positions = []
            return args
        self.inputs = [args[i] for i in self.in_positions]
        flat, views = _funnel(self.inputs)
        flat.register_hook(self._on_grad_input)
        args = list(args)
        for i, view in zip(self.in_positions, views):
            args[i] = view
        return tuple(args)

    def wrap_outputs(self, output):
        single = isinstance(output, Tensor)
        outputs = [output] if single else list(output) if isinstance(output, tuple) else None
        if outputs is None:
            return output
        self.out_positions = [
            i for i, o in enumerate(outputs) if isinstance(o, Tensor) and o.requires_grad
        ]
        self.n_out = len(outputs)
        if not self.out_positions:
            return output
        self.outputs = [outputs[i] for i in self.out_positions]
        flat, views = _funnel(self.outputs)
        flat.register_hook(self._on_grad_output)
        for i, view in zip(self.out_positions, views):
            outputs[i] = view
        return outputs[0] if single else tuple(outputs)

    def _on_grad_output(self, grad: Tensor):
        grads = _split(grad, self.outputs)
        replaced = False
        for hook in list(self.hooks.backward_pre.values()):
            result = hook(self.module, self._align(grads, self.out_positions, self.n_out))
            if result is not None:
                grads = [result[i] for i in self.out_positions]
                replaced = True
        self.grad_output = self._align(grads, self.out_positions, self.n_out)
        if not self.in_positions:  # no input needs a gradient: torch fires the hooks here
            self._run_backward_hooks((None,) * self.n_args)
        if replaced:
            return _join(grads, self.outputs, f"{type(self.module).__name__} backward pre-hook")
        return None

    def _on_grad_input(self, grad: Tensor):
        grads = self._align(_split(grad, self.inputs), self.in_positions, self.n_args)
        result = self._run_backward_hooks(grads)
        if result is None:
            return None
        chosen = [result[i] for i in self.in_positions]
        return _join(chosen, self.inputs, f"{type(self.module).__name__} backward hook")

    def _run_backward_hooks(self, grad_input: tuple):
        replaced = None
        for hook in list(self.hooks.backward.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                if len(result) != len(grad_input):
                    raise RuntimeError(
                        f"backward hook of {type(self.module).__name__} returned "
                        f"{len(result)} gradients, expected {len(grad_input)} (one per input)"
                    )
                grad_input = replaced = tuple(result)
        return replaced

    @staticmethod
    def _align(grads: list, positions: list[int], n: int) -> tuple:
        """Gradients placed at their argument's position, None elsewhere (torch's layout)."""
        aligned = [None] * n
        for i, g in zip(positions, grads):
            aligned[i] = g
        return tuple(aligned)

"""What would replaying a recorded graph gain on the seed article's loop? An experiment.

Issue 2 asks the article's loop on nnscratch autograd to take at most 2.5x the plain NumPy
loop's time and to run at least 3x faster than PyTorch eager. The ``logits`` spelling of the
loss meets both; ``formula`` and ``bce`` do not. What they lack is the per-op cost of eager
autograd: ``Function.apply`` wrapping every result in a Tensor, and the engine's heap and
dictionaries. A capture-and-replay engine would skip that bookkeeping. DESIGN.md §3.3 has one
eager engine, so a second one is a design change that needs its own issue. This script
measures what such an engine would gain, so that issue can be decided on numbers.

The replay here is generic. It records the graph of one eager forward pass. Then, on every
iteration, it calls each recorded op's own ``forward`` and ``backward`` on NumPy arrays, in the
recorded order. So the arithmetic is the ops' own, and only the bookkeeping differs. As in
``bench_xor_loop.py``, every method's final weights must equal the hand-written NumPy loop's
to 1e-9. The replay is a measurement, not a feature: it replays one fixed graph, and it guards
none of what a real engine must (shapes, dtypes, control flow, grad mode, in-place writes).

Run from the repository root::

    python benchmarks/replay_floor.py [--repeats 5] [--iterations 10000]
"""

from __future__ import annotations

import argparse
import statistics
from operator import itemgetter

import numpy as np
from bench_xor_loop import (
    LOSSES,
    LR,
    article_loss,
    autograd_loop,
    import_torch,
    time_methods,
    train_numpy,
    versions,
)

import nnscratch as ns
from nnscratch.autograd.engine import unbroadcast
from nnscratch.autograd.function import Context


class Replay:
    """One recorded graph, run again on new leaf arrays: the ops' forwards, then backwards.

    Every value lives in one list at a fixed slot: the leaves first, then the constants the
    graph read (inputs that need no gradient), then one slot per recorded op's output.
    """

    def __init__(self, loss: ns.Tensor, leaves: list[ns.Tensor]):
        nodes, constants = _recorded_graph(loss, leaves)
        self.constants = list(constants.values())
        order = [*map(id, leaves), *constants, *map(id, nodes)]
        slots = {key: slot for slot, key in enumerate(order)}
        self.forwards = []
        self.backwards = []
        for node in nodes:
            ctx, out = node._ctx, slots[id(node)]
            ins = [slots[id(x)] for x in ctx.inputs]
            self.forwards.append((ctx.function, ctx.needs_input_grad, _getter(ins), out))
            self.backwards.append(
                (ctx.function.backward, out, tuple(zip(ins, ctx.needs_input_grad)))
            )
        self.backwards.reverse()
        self.n_leaves = len(leaves)
        self.outputs = [None] * len(nodes)

    def gradients(self, leaves: list[np.ndarray]) -> tuple[float, list[np.ndarray]]:
        """The loss at ``leaves`` and its gradient with respect to each of them."""
        values = [*leaves, *self.constants, *self.outputs]
        contexts = {}
        for function, needs, inputs_of, out in self.forwards:
            ctx = contexts[out] = Context(function, needs)
            values[out] = function.forward(ctx, *inputs_of(values))
        loss = values[-1]
        grads = [None] * len(values)
        grads[-1] = np.ones_like(loss)
        for backward, out, inputs in self.backwards:
            input_grads = backward(contexts[out], grads[out])
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            for (slot, needed), grad in zip(inputs, input_grads):
                if needed and grad is not None:
                    grad = unbroadcast(grad, values[slot])
                    grads[slot] = grad if grads[slot] is None else grads[slot] + grad
        return loss.item(), grads[: self.n_leaves]


def _recorded_graph(loss: ns.Tensor, leaves: list[ns.Tensor]) -> tuple[list[ns.Tensor], dict]:
    """The tensors made by recorded ops, in the order they were made (a topological order), and
    the constants they read (inputs that are neither a leaf nor one of them), by id."""
    nodes, seen, stack = [], set(), [loss]
    while stack:
        tensor = stack.pop()
        if tensor._ctx is None or id(tensor) in seen:
            continue
        seen.add(id(tensor))
        nodes.append(tensor)
        stack.extend(x for x in tensor._ctx.inputs if isinstance(x, ns.Tensor))
    nodes.sort(key=lambda tensor: tensor._ctx.stamp)
    known = seen | {id(leaf) for leaf in leaves}
    constants = {}
    for node in nodes:
        for x in node._ctx.inputs:
            if id(x) not in known:
                constants.setdefault(id(x), getattr(x, "_data", x))
    return nodes, constants


def _getter(slots: list[int]):
    """A function from the value list to a tuple of the values at ``slots``."""
    if len(slots) == 1:
        (slot,) = slots
        return lambda values: (values[slot],)
    return itemgetter(*slots)


class Traced:
    """The same recorded graph written out as one Python function, one line per op call.

    Where ``Replay`` looks every value up in a list, the generated function keeps values in
    local variables, as torch.fx's generated code does. It is compiled once, at recording.
    """

    def __init__(self, loss: ns.Tensor, leaves: list[ns.Tensor]):
        nodes, constants = _recorded_graph(loss, leaves)
        names = {id(leaf): f"a{i}" for i, leaf in enumerate(leaves)}
        names.update({key: f"k{j}" for j, key in enumerate(constants)})
        names.update({id(node): f"v{k}" for k, node in enumerate(nodes)})
        scope = {"Context": Context, "unbroadcast": unbroadcast, "ones_like": np.ones_like}
        scope.update({names[key]: value for key, value in constants.items()})
        lines = [f"def gradients({', '.join(names[id(leaf)] for leaf in leaves)}):"]
        for k, node in enumerate(nodes):
            ctx = node._ctx
            scope[f"f{k}"], scope[f"needs{k}"] = ctx.function, ctx.needs_input_grad
            args = [names[id(x)] for x in ctx.inputs]
            lines.append(f"    c{k} = Context(f{k}, needs{k})")
            lines.append(f"    v{k} = f{k}.forward(c{k}, {', '.join(args)})")
        last = len(nodes) - 1
        lines.append(f"    g_v{last} = ones_like(v{last})")
        started = {f"g_v{last}"}
        for k in range(last, -1, -1):
            ctx = nodes[k]._ctx
            lines.append(f"    r = f{k}.backward(c{k}, g_v{k})")
            lines.append("    r = r if type(r) is tuple else (r,)")
            for i, (x, needed) in enumerate(zip(ctx.inputs, ctx.needs_input_grad)):
                if needed:
                    grad = f"g_{names[id(x)]}"
                    total = f"{grad} + " if grad in started else ""
                    lines.append(f"    {grad} = {total}unbroadcast(r[{i}], {names[id(x)]})")
                    started.add(grad)
        leaf_grads = ", ".join(f"g_{names[id(leaf)]}" for leaf in leaves)
        lines.append(f"    return v{last}.item(), [{leaf_grads}]")
        self.source = "\n".join(lines)
        exec(self.source, scope)  # our own generated source, as torch.fx's GraphModule does
        self.gradients = lambda arrays: scope["gradients"](*arrays)


def replay_loop(loss_name: str, engine: type):
    """The article's loop, its graph recorded once (inside the timing) and then replayed."""

    def train(w1, w2, x, y, iterations):
        leaves = [ns.tensor(w1, requires_grad=True), ns.tensor(w2, requires_grad=True)]
        recorded = article_loss(ns, loss_name, *leaves, ns.tensor(x), ns.tensor(y))
        replay = engine(recorded, leaves)
        losses = []
        for _ in range(iterations):
            loss, (grad_w1, grad_w2) = replay.gradients([w1, w2])
            losses.append(loss)
            w1 -= LR * grad_w1
            w2 -= LR * grad_w2
        return w1, w2

    return train


ENGINES = {"replay": Replay, "traced": Traced}


def report(times: dict[str, list[float]], iterations: int) -> None:
    med = {name: statistics.median(runs) for name, runs in times.items()}
    print(f"XOR loop, {iterations:,} iterations, median of {len(times['numpy'])} interleaved runs")
    for name, seconds in med.items():
        print(f"  {name:<18} {seconds / iterations * 1e6:>7.1f} us/iter")
    ways = ("nnscratch", *ENGINES)
    print("each way's time / numpy's (target <= 2.5x) and torch's time / its (target >= 3x)")
    print(f"{'':<9}" + "".join(f"{way:>22}" for way in ways))
    print(f"{'loss':<9}" + f"{'/ numpy':>15} {'torch /':>6}" * len(ways))
    for loss in LOSSES:
        torch = med.get(f"torch {loss}")
        row = f"{loss:<9}"
        for way in ways:
            ours = med[f"{way} {loss}"]
            vs_torch = f"{torch / ours:.2f}x" if torch else "-"
            row += f"{ours / med['numpy']:>14.2f}x {vs_torch:>6}"
        print(row)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs per method (default 5)")
    parser.add_argument("--iterations", type=int, default=10_000, help="default 10,000")
    args = parser.parse_args(argv)
    torch = import_torch(threads=1)  # as bench_xor_loop.py's default: tiny ops gain nothing
    methods = {"numpy": train_numpy}
    for loss in LOSSES:
        methods[f"nnscratch {loss}"] = autograd_loop(ns, loss)
        for way, engine in ENGINES.items():
            methods[f"{way} {loss}"] = replay_loop(loss, engine)
        if torch is not None:
            methods[f"torch {loss}"] = autograd_loop(torch, loss)
    report(time_methods(methods, args.repeats, args.iterations), args.iterations)
    print(versions())


if __name__ == "__main__":
    main()

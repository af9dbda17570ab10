"""The Keras-style optimizers are the torch-style core with Keras's formulas on top: one loop,
one per-parameter state, one fused flat step; and no step allocates arrays the size of the
variables (their temporaries live in reused scratch memory)."""

import copy
import tracemalloc

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras
from nnscratch.optim.optimizer import Optimizer as Core

KERAS_OPTIMIZERS = {
    "SGD": {},
    "SGD-momentum": {"momentum": 0.9},
    "SGD-nesterov": {"momentum": 0.9, "nesterov": True},
    "Adam": {},
    "Adam-amsgrad": {"amsgrad": True},
    "AdamW": {},
    "RMSprop": {"momentum": 0.5, "centered": True},
    "Adagrad": {},
    "Adadelta": {},
    "Adamax": {},
    "Nadam": {},
    "Lion": {},
}


def _make(key: str):
    return getattr(keras.optimizers, key.split("-")[0])(learning_rate=0.01, **KERAS_OPTIMIZERS[key])


@pytest.mark.parametrize("key", sorted(KERAS_OPTIMIZERS))
def test_each_keras_optimizer_is_the_shared_core(key):
    opt = _make(key)
    assert isinstance(opt, Core)
    # the Keras class writes its formula and names, not a loop of its own
    for method in ("_apply", "step", "_step_flat", "zero_grad"):
        assert getattr(type(opt), method) is getattr(Core, method)


@pytest.mark.parametrize("key", sorted(KERAS_OPTIMIZERS))
def test_a_step_on_a_large_variable_allocates_no_variable_sized_array(key):
    variable = ns.nn.Parameter(ns.tensor(np.linspace(-1, 1, 1_000_000, dtype=np.float32)))
    gradient = np.cos(np.arange(1_000_000, dtype=np.float32))
    opt = _make(key)
    opt.apply_gradients([(gradient, variable)])  # builds the slots, warms the scratch memory
    previous = variable.detach().numpy().copy()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        opt.apply_gradients([(gradient, variable)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not np.array_equal(variable.detach().numpy(), previous)  # the step did update
    assert peak - before < variable.detach().numpy().nbytes // 4, peak - before


def test_a_keras_style_update_step_subclass_still_runs_per_variable():
    """Keras's documented way to write an optimizer: ``build`` with
    ``add_variable_from_reference`` and ``update_step(gradient, variable, learning_rate)``."""

    class HeavyBall(keras.optimizers.Optimizer):
        def build(self, variables):
            super().build(variables)
            self.velocities = [self.add_variable_from_reference(v, "velocity") for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            v = self.velocities[self._get_variable_index(variable)]
            v *= 0.5
            v += gradient
            variable.detach().numpy()[...] -= learning_rate * v

    w = ns.nn.Parameter(ns.tensor([1.0, 2.0], dtype=ns.float64))
    opt = HeavyBall(learning_rate=0.1)
    expected, velocity = np.array([1.0, 2.0]), np.zeros(2)
    for step in range(3):
        g = np.array([step + 1.0, -1.0])
        opt.apply_gradients([(g, w)])
        velocity = 0.5 * velocity + g  # the formula by hand
        expected = expected - np.float32(0.1) * velocity
    np.testing.assert_allclose(w.detach().numpy(), expected, rtol=1e-12)
    assert opt.iterations == 3
    assert len(opt.variables) == 2 + 1  # iterations, learning rate, the velocity


def test_an_optimizer_without_a_formula_says_so():
    class Empty(keras.optimizers.Optimizer):
        pass

    with pytest.raises(
        NotImplementedError, match="Empty implements neither `_update` nor Keras's `update_step`"
    ):
        Empty(learning_rate=0.1).apply_gradients([(np.ones(2), ns.nn.Parameter(ns.ones(2)))])


def test_a_keras_style_update_step_may_write_its_variable_with_tensor_ops():
    """Keras's update_step writes with ``variable.assign_sub(...)``; ours with ``sub_``, which a
    leaf that requires grad allows only under no_grad: the step runs there."""

    class Plain(keras.optimizers.Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            variable.sub_(ns.tensor(gradient) * float(learning_rate))

    w = ns.nn.Parameter(ns.tensor([1.0, 2.0]))
    Plain(learning_rate=0.5).apply_gradients([(np.array([1.0, -2.0]), w)])
    assert w.tolist() == [0.5, 3.0] and w.grad_fn is None and w.requires_grad


def test_a_deep_copy_refuses_the_original_variables_by_name():
    variables = [ns.nn.Parameter(ns.ones(3)), ns.nn.Parameter(ns.ones(2))]
    opt = keras.optimizers.Nadam(learning_rate=0.1)
    opt.apply_gradients([(np.ones(v.shape), v) for v in variables])
    twin = copy.deepcopy(opt)  # its variables are copies: the originals are not its own
    with pytest.raises(ValueError, match="Unknown variable of shape"):
        twin.apply_gradients([(np.ones(v.shape), v) for v in variables])

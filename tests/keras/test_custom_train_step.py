"""Subclassed models as the keras.io guides write them ("customizing what happens in fit" on the
torch backend), trained by real Keras 3 (torch backend) and by nnscratch from the same weights.

Each model class is written once, against a ``keras`` and a ``torch`` module: real Keras gets
``torch``, nnscratch gets ``nnscratch`` itself (``import nnscratch as torch``). The steps use
what the guide uses: ``self.zero_grad()``, ``self.compute_loss(...)``, ``loss.backward()``,
``v.value.grad``, ``self.optimizer.apply`` under ``torch.no_grad()``, ``self.metrics`` and
trackers with ``reset_state``. The weights after a few steps and every epoch's logs must agree
to float32 round-off.
"""

import os

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras as nk

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras") if not os.environ.get("CI") else __import__("keras")
torch = pytest.importorskip("torch") if not os.environ.get("CI") else __import__("torch")
# Keras converting torch tensors to NumPy on torch's side (not ours) warns under NumPy 2.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LIBS = {"keras": (keras, torch), "ours": (nk, ns)}
RNG = np.random.default_rng(21)
X = RNG.normal(size=(24, 4)).astype(np.float32)
Y = RNG.normal(size=(24, 1)).astype(np.float32)
SW = RNG.uniform(0.5, 1.5, size=(24,)).astype(np.float32)
TOL = {"rtol": 2e-5, "atol": 2e-6}  # float32, a dozen Adam steps apart in two libraries


# ---- the models, written once for both libraries -----------------------------------------------
def step_model_class(keras, torch, positional_compute_loss=False):
    """The guide's first model: compiled loss and metrics, a torch-style train_step; its
    test_step mirrors it without the update."""

    class StepModel(keras.Model):
        def _loss(self, x, y, y_pred, sample_weight):
            if positional_compute_loss:  # the older call, (x, y, y_pred, sample_weight)
                return self.compute_loss(x, y, y_pred, sample_weight)
            return self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)

        def _update_metrics(self, loss, y, y_pred, sample_weight):
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

        def train_step(self, data):
            x, y, sample_weight = data if len(data) == 3 else (*data, None)
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self._loss(x, y, y_pred, sample_weight)
            loss.backward()
            trainable_weights = list(self.trainable_weights)
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            return self._update_metrics(loss, y, y_pred, sample_weight)

        def test_step(self, data):
            x, y, sample_weight = data if len(data) == 3 else (*data, None)
            y_pred = self(x, training=False)
            loss = self._loss(x, y, y_pred, sample_weight)
            return self._update_metrics(loss, y, y_pred, sample_weight)

    return StepModel


def tracker_model_class(keras, torch):
    """The guide's lower-level model: its own loss function and trackers, listed by a
    ``metrics`` override so that fit resets them at each epoch; compile gets no loss."""

    class TrackerModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.loss_fn(y, y_pred)
            loss.backward()
            gradients = [v.value.grad for v in self.trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, self.trainable_weights)
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    return TrackerModel


def functional(lib, cls):
    inputs = lib.Input(shape=(4,))
    hidden = lib.layers.Dense(5, activation="tanh")(inputs)
    return cls(inputs, lib.layers.Dense(1)(hidden))


def pair(make, compile_kwargs):
    """The same model in both libraries, ours with Keras's initial weights, both compiled."""
    keras.utils.set_random_seed(3)
    theirs, ours = make("keras"), make("ours")
    ours.set_weights(theirs.get_weights())
    for name, model in (("keras", theirs), ("ours", ours)):
        model.compile(**compile_kwargs(LIBS[name][0]))
    return theirs, ours


def assert_same_history(ours, theirs) -> None:
    assert sorted(ours.history) == sorted(theirs.history)
    for key, values in theirs.history.items():
        np.testing.assert_allclose(ours.history[key], values, **TOL, err_msg=key)


def assert_same_weights(ours, theirs) -> None:
    for mine, reference in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(mine, reference, **TOL)


# ---- the tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize("positional", [False, True], ids=["keywords", "positional"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
def test_functional_subclass_with_torch_style_steps_trains_as_keras(positional, weighted):
    def make(name):
        return functional(LIBS[name][0], step_model_class(*LIBS[name], positional))

    def compile_kwargs(lib):
        return {"optimizer": lib.optimizers.Adam(0.05), "loss": "mse", "metrics": ["mae"]}

    theirs, ours = pair(make, compile_kwargs)
    assert type(ours).__name__ == "StepModel" and isinstance(ours, nk.Model)
    fit = {"batch_size": 8, "epochs": 3, "shuffle": False, "verbose": 0}
    if weighted:
        fit["sample_weight"] = SW
    assert_same_history(ours.fit(X, Y, **fit), theirs.fit(X, Y, **fit))
    assert_same_weights(ours, theirs)
    sw = {"sample_weight": SW} if weighted else {}
    mine = ours.evaluate(X, Y, batch_size=10, verbose=0, return_dict=True, **sw)
    reference = theirs.evaluate(X, Y, batch_size=10, verbose=0, return_dict=True, **sw)
    assert sorted(mine) == sorted(reference) == ["loss", "mae"]
    np.testing.assert_allclose([mine[k] for k in reference], list(reference.values()), **TOL)


def test_trackers_listed_by_a_metrics_override_reset_every_epoch_as_keras():
    def make(name):
        return functional(LIBS[name][0], tracker_model_class(*LIBS[name]))

    theirs, ours = pair(make, lambda lib: {"optimizer": lib.optimizers.SGD(0.1)})
    assert ours.metrics_names == theirs.metrics_names == ["loss", "mae"]
    fit = {"batch_size": 6, "epochs": 3, "shuffle": False, "verbose": 0}
    # an epoch's logs average that epoch's batches only when fit resets the trackers
    assert_same_history(ours.fit(X, Y, **fit), theirs.fit(X, Y, **fit))
    assert_same_weights(ours, theirs)
    ours.loss_tracker.reset_state()
    assert float(ours.loss_tracker.result()) == 0.0


def test_metrics_property_lists_tracker_compiled_metrics_and_attributes_as_keras():
    def names(lib):
        class Tracked(lib.Model):
            def __init__(self):
                super().__init__()
                self.dense = lib.layers.Dense(1)
                self.tracker = lib.metrics.Mean(name="tracked")

            def call(self, x):
                return self.dense(x)

        model, seen = Tracked(), []
        seen.append(model.metrics_names)
        model.compile(optimizer="sgd", loss="mse")
        seen.append(model.metrics_names)
        model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        seen.append(model.metrics_names)
        model.fit(X, Y, batch_size=12, epochs=1, verbose=0)
        seen.append([type(m).__name__ == "Mean" for m in model.metrics])
        return seen

    assert names(nk) == names(keras)


def test_a_functional_subclass_keeps_its_class_and_its_own_init():
    cls = tracker_model_class(nk, ns)
    model = functional(nk, cls)
    assert isinstance(model, cls) and isinstance(model, nk.models.Functional)
    assert type(model).__name__ == "TrackerModel" and type(model) is type(functional(nk, cls))
    assert model.metrics == [model.loss_tracker, model.mae_metric]  # set after super().__init__
    assert model.predict(X[:3], verbose=0).shape == (3, 1)
    rebuilt = cls.from_config(model.get_config())
    assert isinstance(rebuilt, cls) and [w.shape for w in rebuilt.weights] == [
        w.shape for w in model.weights
    ]
    with pytest.raises(TypeError, match="Model.__init__ takes"):
        cls(nk.Input(shape=(4,)))


@pytest.mark.parametrize(
    "data", [("x",), ("x", "y"), ("x", "y", "w"), ("x", None, "w"), (["x1", "x2"],)], ids=str
)
def test_pack_and_unpack_x_y_sample_weight_as_keras(data):
    """How fit hands a batch to train_step (``x, y = data`` works without sample weights)."""
    packed = nk.utils.pack_x_y_sample_weight(*data)
    assert packed == keras.utils.pack_x_y_sample_weight(*data)
    assert nk.utils.unpack_x_y_sample_weight(packed) == keras.utils.unpack_x_y_sample_weight(packed)


def test_a_weight_s_value_is_the_tensor_whose_grad_keras_code_reads():
    layer = nk.layers.Dense(2, use_bias=False)
    layer(np.ones((1, 3), np.float32))
    (layer(ns.ones(1, 3)) * 2.0).sum().backward()
    (w,) = layer.trainable_weights
    assert isinstance(w, nk.Variable) and w.value is w
    np.testing.assert_array_equal(w.value.grad.numpy(), np.full((3, 2), 2.0))


# ---- a GAN: two sub-models, two optimizers ----------------------------------------------------
LATENT = 3
NOISE = RNG.normal(size=(2, 8, LATENT)).astype(np.float32)  # fixed latent vectors per step


def gan_class(keras, torch, sample_noise):
    """The guide's GAN, small: a compile of its own, a train_step updating the discriminator
    then the generator, each with its optimizer; ``sample_noise(model, batch, which)`` gives
    the latent vectors."""

    class GAN(keras.Model):
        def __init__(self, discriminator, generator):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.built = True

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

        def _step(self, optimizer, model, loss):
            loss.backward()
            grads = [v.value.grad for v in model.trainable_weights]
            with torch.no_grad():
                optimizer.apply(grads, model.trainable_weights)

        def train_step(self, real):
            if isinstance(real, tuple):
                real = real[0]
            batch = real.shape[0]
            fake = self.generator(sample_noise(self, batch, 0))
            combined = torch.cat([fake, real], 0)
            labels = torch.cat([torch.ones((batch, 1)), torch.zeros((batch, 1))], 0)
            self.zero_grad()
            d_loss = self.loss_fn(labels, self.discriminator(combined))
            self._step(self.d_optimizer, self.discriminator, d_loss)
            self.zero_grad()
            predictions = self.discriminator(self.generator(sample_noise(self, batch, 1)))
            g_loss = self.loss_fn(torch.zeros((batch, 1)), predictions)
            self._step(self.g_optimizer, self.generator, g_loss)
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    return GAN


def make_gan(keras, torch, sample_noise):
    discriminator = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(1)],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(LATENT,)),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.Dense(4),
        ],
        name="generator",
    )
    gan = gan_class(keras, torch, sample_noise)(discriminator, generator)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(0.01),
        g_optimizer=keras.optimizers.Adam(0.01),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    return gan


def test_gan_with_two_optimizers_trains_its_two_sub_models_as_keras():
    def fixed_noise(torch):
        return lambda model, batch, which: torch.tensor(NOISE[which, :batch])

    keras.utils.set_random_seed(4)
    theirs = make_gan(keras, torch, fixed_noise(torch))
    ours = make_gan(nk, ns, fixed_noise(ns))
    for part in ("discriminator", "generator"):
        getattr(ours, part).set_weights(getattr(theirs, part).get_weights())
    before = ours.get_weights()
    fit = {"batch_size": 8, "epochs": 2, "shuffle": False, "verbose": 0}
    history = ours.fit(X[:16], **fit)
    assert_same_history(history, theirs.fit(X[:16], **fit))
    for part in ("discriminator", "generator"):
        assert_same_weights(getattr(ours, part), getattr(theirs, part))
    assert np.all(np.isfinite(history.history["d_loss"] + history.history["g_loss"]))
    assert all(not np.array_equal(b, w) for b, w in zip(before, ours.get_weights()))


def test_gan_drawing_its_noise_from_keras_random_runs():
    if not hasattr(nk.random, "SeedGenerator"):
        pytest.skip("keras.random.SeedGenerator is not built yet")

    def seeded_noise(model, batch, which):
        if not hasattr(model, "seed_generator"):
            model.seed_generator = nk.random.SeedGenerator(1337)
        return nk.random.normal(shape=(batch, LATENT), seed=model.seed_generator)

    gan = make_gan(nk, ns, seeded_noise)
    history = gan.fit(X[:16], batch_size=8, epochs=2, verbose=0).history
    assert np.all(np.isfinite(history["d_loss"] + history["g_loss"]))

"""keras.callbacks.TensorBoard: the event files read back with tensorboardX's protobuf classes
(TFRecord framing by hand) hold the History's figures under Keras's tags."""

import os
import struct
import sys

import numpy as np
import pytest

from nnscratch import keras as nk

if os.environ.get("CI"):
    from tensorboardX.proto import event_pb2
else:
    event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2")

RNG = np.random.default_rng(3)
X = RNG.normal(size=(40, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def read_events(folder) -> list:
    """Every Event in the event files of ``folder``: each record is a little-endian uint64
    length, its 4-byte CRC, the serialized Event, and the data's 4-byte CRC."""
    events = []
    for name in sorted(os.listdir(folder)):
        data = (folder / name).read_bytes()
        at = 0
        while at < len(data):
            (length,) = struct.unpack("<Q", data[at : at + 8])
            event = event_pb2.Event()
            event.ParseFromString(data[at + 12 : at + 12 + length])
            events.append(event)
            at += 12 + length + 4
    return events


def scalars(folder) -> dict:
    """tag -> [(step, value)] of the scalar summaries in ``folder``."""
    found = {}
    for event in read_events(folder):
        for value in event.summary.value:
            if value.HasField("simple_value"):
                found.setdefault(value.tag, []).append((event.step, value.simple_value))
    return found


def _model():
    model = nk.Sequential([nk.Input((4,)), nk.layers.Dense(3, name="hidden"),
                           nk.layers.Dense(1, activation="sigmoid", name="out")])  # fmt: skip
    model.compile(nk.optimizers.SGD(0.05), "binary_crossentropy", metrics=["accuracy"])
    return model


def test_epoch_scalars_match_the_history_under_keras_tags(tmp_path):
    board = nk.callbacks.TensorBoard(log_dir=tmp_path, write_steps_per_second=True)
    model = _model()
    history = model.fit(X, Y, batch_size=10, epochs=3, validation_split=0.25, verbose=0,
                        callbacks=[board])  # fmt: skip
    assert sorted(os.listdir(tmp_path)) == ["train", "validation"]
    train, val = scalars(tmp_path / "train"), scalars(tmp_path / "validation")
    for name in ("loss", "accuracy"):
        want = [(epoch, np.float32(v)) for epoch, v in enumerate(history.history[name])]
        assert train[f"epoch_{name}"] == want
        want = [(epoch, np.float32(v)) for epoch, v in enumerate(history.history[f"val_{name}"])]
        assert val[f"epoch_{name}"] == want
        # after each validation pass, at the optimizer's iteration count (3 batches an epoch)
        vs = val[f"evaluation_{name}_vs_iterations"]
        assert [step for step, _ in vs] == [3, 6, 9]
        assert [v for _, v in vs] == [v for _, v in val[f"epoch_{name}"]]
    assert train["epoch_learning_rate"] == [(e, np.float32(0.05)) for e in range(3)]
    assert [step for step, _ in train["epoch_steps_per_second"]] == [0, 1, 2]
    assert not any(tag.startswith("batch_") for tag in train)  # update_freq="epoch"


def test_update_freq_writes_the_batch_logs_every_n_batches(tmp_path):
    seen = {}
    count = [0]

    def on_batch_end(batch, logs):
        count[0] += 1
        seen[count[0]] = dict(logs)

    recorder = nk.callbacks.LambdaCallback(on_train_batch_end=on_batch_end)
    board = nk.callbacks.TensorBoard(log_dir=tmp_path, update_freq=2)
    _model().fit(X, Y, batch_size=10, epochs=2, verbose=0, callbacks=[recorder, board])
    train = scalars(tmp_path / "train")
    steps = [2, 4, 6, 8]  # 8 batches in all, counted across both epochs from 1
    for name in ("loss", "accuracy"):
        assert train[f"batch_{name}"] == [(s, np.float32(seen[s][name])) for s in steps]
    board = nk.callbacks.TensorBoard(log_dir=tmp_path / "b", update_freq="batch")
    _model().fit(X, Y, batch_size=10, epochs=1, verbose=0, callbacks=[board])
    assert [s for s, _ in scalars(tmp_path / "b" / "train")["batch_loss"]] == [1, 2, 3, 4]


def test_histogram_freq_writes_each_weight(tmp_path):
    board = nk.callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=2)
    model = _model()
    kept = {}
    keep = nk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: kept.__setitem__(epoch, model.get_weights())
    )
    model.fit(X, Y, batch_size=10, epochs=3, verbose=0, callbacks=[keep, board])
    histograms = {}
    for event in read_events(tmp_path / "train"):
        for value in event.summary.value:
            if value.HasField("histo"):
                histograms[(value.tag, event.step)] = value.histo
    tags = ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
    assert sorted(histograms) == sorted((f"{t}/histogram", s) for t in tags for s in (0, 2))
    for epoch in (0, 2):
        for tag, weight in zip(tags, kept[epoch]):
            histo = histograms[(f"{tag}/histogram", epoch)]
            assert (histo.num, histo.min, histo.max) == (weight.size, weight.min(), weight.max())
            np.testing.assert_allclose(histo.sum, weight.astype(np.float64).sum(), rtol=1e-12)


def test_evaluate_alone_writes_evaluation_scalars_and_nothing_at_construction(tmp_path):
    board = nk.callbacks.TensorBoard(log_dir=tmp_path / "logs")
    assert not (tmp_path / "logs").exists()  # the keras.io guide builds one on a fake path
    model = _model()
    model.fit(X, Y, batch_size=10, epochs=1, verbose=0)
    loss, accuracy = model.evaluate(X, Y, batch_size=10, verbose=0, callbacks=[board])
    val = scalars(tmp_path / "logs" / "validation")
    assert val["evaluation_loss_vs_iterations"] == [(4, np.float32(loss))]
    assert val["evaluation_accuracy_vs_iterations"] == [(4, np.float32(accuracy))]


def test_keras_arguments_accepted_and_bad_ones_refused(tmp_path):
    board = nk.callbacks.TensorBoard(
        log_dir=tmp_path, histogram_freq=0, write_graph=True, write_images=True,
        write_steps_per_second=False, update_freq="epoch", profile_batch="0,0",
        embeddings_freq=1, embeddings_metadata={"emb": "meta.tsv"},
    )  # fmt: skip
    assert board.update_freq == "epoch" and board.embeddings_freq == 1
    with pytest.raises(ValueError, match="TensorBoard: profiling is not available"):
        nk.callbacks.TensorBoard(log_dir=tmp_path, profile_batch=(2, 5))
    with pytest.raises(ValueError, match="TensorBoard: profile_batch must be"):
        nk.callbacks.TensorBoard(log_dir=tmp_path, profile_batch="5,2")
    with pytest.raises(ValueError, match="TensorBoard: update_freq must be.*'steps'"):
        nk.callbacks.TensorBoard(log_dir=tmp_path, update_freq="steps")
    with pytest.raises(ValueError, match="TensorBoard: histogram_freq must be"):
        nk.callbacks.TensorBoard(log_dir=tmp_path, histogram_freq=-1)


def test_without_tensorboardx_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # import now raises ImportError
    with pytest.raises(ImportError, match=r'pip install "nnscratch\[tensorboard\]"'):
        nk.callbacks.TensorBoard(log_dir=tmp_path)

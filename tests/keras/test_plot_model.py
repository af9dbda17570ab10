"""keras.utils.model_to_dot / plot_model: the DOT graph of a functional model with a branch
against real Keras 3's (torch backend) for the same architecture, and the ImportErrors when
pydot or Graphviz's ``dot`` program is missing."""

import os
import re
import sys

import pytest
from keras_ops_parity import require_keras

from nnscratch import keras as nk

keras, _torch = require_keras()
pydot = pytest.importorskip("pydot") if not os.environ.get("CI") else __import__("pydot")

LABEL = re.compile(
    r"<b>(?P<name>[^<]+)</b> \((?P<kind>\w+)\)"
    r"(?:.*?Activation: <b>(?P<activation>[^<]+)</b>)?"
    r"(?:.*?Input shape: <b>(?P<input>[^<]+)</b>)?"
    r".*?Output shape: <b>(?P<output>[^<]+)</b>"
    r".*?Output dtype: <b>(?P<dtype>[^<]+)</b>"
)


def _branching(lib):
    """Two inputs; ``x`` feeds two branches that meet again in a Concatenate."""
    x = lib.Input((4,), name="x")
    meta = lib.Input((3,), name="meta")
    deep = lib.layers.Dense(5, activation="relu", name="deep_1")(x)
    deep = lib.layers.Dense(2, activation="tanh", name="deep_2")(deep)
    wide = lib.layers.Dense(2, name="wide")(x)
    joined = lib.layers.Concatenate(name="join")([deep, wide, meta])
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(joined)
    return lib.Model([x, meta], out)


def _read(dot, model) -> tuple[dict, set]:
    """``({layer name: parsed label}, {(source name, destination name)})`` of a pydot graph
    whose nodes are named by ``id(layer)``, as both libraries name them."""
    names = {str(id(layer)): layer.name for layer in model.layers}
    labels = {}
    for node in dot.get_nodes():
        if node.get_name() in names:
            found = LABEL.search(node.get("label"))
            labels[names[node.get_name()]] = found.groupdict()
    edges = {(names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges()}
    return labels, edges


def test_model_to_dot_of_a_branching_model_matches_keras():
    flags = dict(show_shapes=True, show_dtype=True, show_layer_activations=True)
    reference = _branching(keras)
    theirs = _read(keras.utils.model_to_dot(reference, **flags), reference)
    model = _branching(nk)
    ours = _read(nk.utils.model_to_dot(model, **flags), model)
    assert ours[1] == theirs[1] == {
        ("x", "deep_1"), ("deep_1", "deep_2"), ("x", "wide"),
        ("deep_2", "join"), ("wide", "join"), ("meta", "join"), ("join", "out"),
    }  # fmt: skip
    assert ours[0] == theirs[0]
    assert ours[0]["join"]["input"] == "[(None, 2), (None, 2), (None, 3)]"


def test_model_to_dot_flags_and_sequential_chain():
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2, name="d1"),
                           nk.layers.Dense(1, name="d2")])  # fmt: skip
    model.layers[1].trainable = False
    dot = nk.utils.model_to_dot(model, show_layer_names=False, show_trainable=True, rankdir="LR")
    labels = [node.get("label") for node in dot.get_nodes() if node.get_name() != "node"]
    assert all("<b>Dense</b>" in label and "d1" not in label for label in labels)
    assert "<b>Trainable</b>" in labels[0] and "<b>Non-trainable</b>" in labels[1]
    assert [(e.get_source(), e.get_destination()) for e in dot.get_edges()] == [
        (str(id(model.layers[0])), str(id(model.layers[1])))
    ]
    assert dot.get("rankdir") == "LR"
    cluster = nk.utils.model_to_dot(model, subgraph=True)
    assert isinstance(cluster, pydot.Cluster) and cluster.get("label") == model.name


def test_model_to_dot_refuses_what_keras_refuses():
    model = _branching(nk)
    with pytest.raises(ValueError, match="model_to_dot: the `layer_range` argument"):
        nk.utils.model_to_dot(model, layer_range=["x", "out"])
    with pytest.raises(ValueError, match="model_to_dot: unrecognized keyword arguments"):
        nk.utils.model_to_dot(model, colour="red")
    unbuilt = nk.Sequential([nk.layers.Dense(1)])
    with pytest.raises(ValueError, match="has not been built yet"):
        nk.utils.plot_model(unbuilt)


def test_plot_model_without_graphviz_raises_import_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program on this PATH
    for to_file in ("model.png", "model.dot"):  # Keras refuses a .dot file too
        with pytest.raises(ImportError, match="Graphviz's `dot` program"):
            nk.utils.plot_model(_branching(nk), to_file=str(tmp_path / to_file))
    assert os.listdir(tmp_path) == []


def test_without_pydot_both_raise_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    for function in (nk.utils.model_to_dot, nk.utils.plot_model):
        with pytest.raises(ImportError, match="pip install pydot"):
            function(_branching(nk))


def test_plot_model_writes_in_the_format_the_extension_names(monkeypatch, tmp_path):
    written = []
    monkeypatch.setattr(pydot.Dot, "create", lambda self, *a, **k: b"")  # graphviz stand-in

    def write(self, path, format="raw", **kwargs):
        written.append((path, format))

    monkeypatch.setattr(pydot.Dot, "write", write)
    model = _branching(nk)
    nk.utils.plot_model(model, to_file=tmp_path / "m.svg", show_shapes=True)
    nk.utils.plot_model(model, to_file=str(tmp_path / "m"))
    assert written == [(str(tmp_path / "m.svg"), "svg"), (str(tmp_path / "m"), "png")]

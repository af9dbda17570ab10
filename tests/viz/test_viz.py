"""nnscratch.viz: every plot writes a PNG that decodes, draws what it was given, and names the
``plot`` extra when matplotlib is missing; export_graph's DOT and Mermaid text describe the
autograd graph built here by hand."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest

import nnscratch as ns
from nnscratch import keras, nn
from nnscratch.viz import (
    _matplotlib,
    export_graph,
    plot_decision_boundary,
    plot_history,
    plot_network,
)


def _require(module: str):
    """A test extra, or a skip on a user's machine; in CI a missing one is a failure."""
    if os.environ.get("CI"):
        return __import__(module, fromlist=["_"])
    return pytest.importorskip(module)


plt = _require("matplotlib.pyplot")
pydot = _require("pydot")
import matplotlib.colors  # noqa: E402  (after the check above)
import matplotlib.image  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402

# pydot's parser uses pyparsing names that newer pyparsing deprecates: not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:.*deprecated.*:DeprecationWarning:pydot")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and min(image.shape[:2]) > 50
    assert image[..., :3].std() > 0  # not a blank canvas


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ---- plot_history -------------------------------------------------------------------------------
class FakeHistory:  # what a Keras History offers: a .history dict
    history = {
        "accuracy": [0.5, 0.7, 0.9],
        "loss": [1.0, 0.6, 0.3],
        "val_loss": [1.1, 0.8, 0.5],
        "val_accuracy": [0.4, 0.6, 0.8],
        "learning_rate": [0.1, 0.1, 0.05],
    }


def _lines(axis):
    return {line.get_label(): line.get_ydata().tolist() for line in axis.get_lines()}


def test_history_draws_one_panel_per_family_and_saves_a_png(tmp_path):
    path = tmp_path / "new" / "folder" / "history.png"
    fig = plot_history(FakeHistory(), path=path, title="run 1")
    assert_png(path)
    assert not plt.fignum_exists(fig.number)  # saved and closed
    assert [a.get_title() for a in fig.axes] == ["loss", "accuracy", "learning_rate"]
    logs = FakeHistory.history
    assert _lines(fig.axes[0]) == {"loss": logs["loss"], "val_loss": logs["val_loss"]}
    assert _lines(fig.axes[1]) == {k: logs[k] for k in ("accuracy", "val_accuracy")}
    assert fig.axes[0].get_lines()[0].get_xdata().tolist() == [1, 2, 3]
    assert fig._suptitle.get_text() == "run 1"


def test_history_accepts_nnscratch_history_a_dict_and_a_list(tmp_path):
    history = keras.callbacks.History()
    history.on_train_begin()
    for epoch, loss in enumerate([0.9, 0.4]):
        history.on_epoch_end(epoch, {"loss": loss, "mae": loss / 2})
    fig = plot_history(history)
    assert [_lines(a) for a in fig.axes] == [{"loss": [0.9, 0.4]}, {"mae": [0.45, 0.2]}]
    fig = plot_history({"loss": np.array([3.0, 2.0, 1.0])})
    assert _lines(fig.axes[0]) == {"loss": [3.0, 2.0, 1.0]}
    fig = plot_history([0.5, 0.25], path=tmp_path / "list.png")
    assert_png(tmp_path / "list.png")
    assert _lines(fig.axes[0]) == {"loss": [0.5, 0.25]}


def test_history_on_a_given_axes_puts_every_curve_there():
    fig, ax = plt.subplots()
    assert plot_history(FakeHistory(), ax=ax, title="all") is fig
    assert len(fig.axes) == 1 and len(ax.get_lines()) == 5 and ax.get_title() == "all"


def test_history_rejects_empty_or_non_numeric_logs():
    with pytest.raises(ValueError, match="non-empty list of numbers"):
        plot_history([])
    with pytest.raises(ValueError, match="'loss'"):
        plot_history({"loss": ["a", "b"]})
    with pytest.raises(ValueError, match="history is empty"):
        plot_history({})


# ---- plot_decision_boundary ---------------------------------------------------------------------
POINTS = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1], [0.5, 0.2]], dtype=np.float32)
LABELS = np.array([0, 1, 1, 0, 1])


def _level_path(fig, level):
    """The vertices of the contour drawn at ``level`` (the decision boundary)."""
    for artist in fig.axes[0].collections:
        levels = list(getattr(artist, "levels", []))
        if not getattr(artist, "filled", True) and level in levels:
            return artist.get_paths()[levels.index(level)].vertices
    raise AssertionError("no contour at that level")


def test_boundary_of_a_callable_is_where_it_crosses_one_half(tmp_path):
    seen = []

    def model(p):
        seen.append((p.dtype, p.shape))
        return sigmoid(8 * (p[:, 0] - 0.25))  # P(class 1) crosses 0.5 on the line x1 = 0.25

    path = tmp_path / "boundary.png"
    fig = plot_decision_boundary(model, POINTS, LABELS, path=path, resolution=50)
    assert_png(path)
    assert seen == [(np.float32, (2500, 2))]
    assert np.allclose(_level_path(fig, 0.5)[:, 0], 0.25, atol=0.05)


def test_boundary_of_an_nn_module_uses_logits_without_touching_its_state():
    linear = nn.Linear(2, 1)
    linear.weight.data = ns.tensor([[3.0, 3.0]])
    linear.bias.data = ns.tensor([-3.0])  # logit 0 on x1 + x2 = 1
    model = nn.Sequential(linear, nn.Dropout(0.5))
    model.train()
    fig = plot_decision_boundary(model, POINTS, LABELS, resolution=60)
    boundary = _level_path(fig, 0.5)
    assert np.allclose(boundary.sum(axis=1), 1, atol=0.06)  # dropout was off
    assert model.training and linear.weight.grad is None


def test_boundary_of_a_keras_model_takes_the_argmax_of_k_scores(tmp_path, monkeypatch):
    model = keras.Sequential([keras.layers.Input(shape=(2,)), keras.layers.Dense(3)])
    # scores x1, -x1 and x2 - 1: class 2 above the V x2 = 1 + |x1|, else 0 right, 1 left
    kernel = np.array([[1, -1, 0], [0, 0, 1]], np.float32)
    model.set_weights([kernel, np.array([0, 0, -1], np.float32)])
    calls = []
    predict = model.predict

    def recording_predict(x, batch_size=None, verbose="auto"):
        calls.append({"batch_size": batch_size, "verbose": verbose})
        return predict(x, batch_size=batch_size, verbose=verbose)

    monkeypatch.setattr(model, "predict", recording_predict)
    x = np.array([[-2, -2], [2, 2], [0, 1.9], [1.5, -1]], dtype=np.float32)
    one_hot = np.eye(3)[[1, 0, 2, 0]]
    fig = plot_decision_boundary(model, x, one_hot, path=tmp_path / "k.png", resolution=80)
    assert_png(tmp_path / "k.png")
    assert calls and calls[0]["verbose"] == 0 and calls[0]["batch_size"] >= 1024
    bands = next(a for a in fig.axes[0].collections if getattr(a, "filled", False))
    paths = bands.get_paths()
    for point, expected in (((1.5, -1.5), 0), ((-1.5, -1.5), 1), ((0.0, 2.0), 2)):
        inside = [i for i, p in enumerate(paths) if len(p.vertices) and p.contains_point(point)]
        assert inside == [expected], (point, inside)


def test_boundary_arguments_are_checked():
    with pytest.raises(ValueError, match=r"x of shape \(n, 2\).*\(5, 3\)"):
        plot_decision_boundary(lambda p: p[:, 0], np.zeros((5, 3)), LABELS)
    with pytest.raises(ValueError, match=r"one label per point \(5,\)"):
        plot_decision_boundary(lambda p: p[:, 0], POINTS, LABELS[:4])
    with pytest.raises(ValueError, match=r"scores of shape \(100,\).*received shape \(100, 2, 1\)"):
        plot_decision_boundary(lambda p: p[:, :, None], POINTS, LABELS, resolution=10)
    with pytest.raises(TypeError, match="Keras model, an nn.Module or a callable"):
        plot_decision_boundary(42, POINTS, LABELS)
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(lambda p: p[:, 0], POINTS, LABELS, resolution=1)


# ---- plot_network -------------------------------------------------------------------------------
def _edges(fig):
    """(segments, colours, widths) of the weight lines."""
    lines = next(a for a in fig.axes[0].collections if isinstance(a, LineCollection))
    return lines.get_segments(), lines.get_colors(), lines.get_linewidths()


def _check_edges(fig, matrices):
    """Every weight appears once, in order, blue if >= 0 and red if < 0, widths rising with |w|."""
    weights = np.concatenate([np.asarray(w, np.float64).ravel() for w in matrices])
    segments, colors, widths = _edges(fig)
    assert len(segments) == len(weights)
    blue = matplotlib.colors.to_rgb("tab:blue")
    assert [tuple(c[:3]) == blue for c in colors] == (weights >= 0).tolist()
    order = np.argsort(np.abs(weights), kind="stable")
    assert np.all(np.diff(np.asarray(widths)[order]) >= -1e-9)


def _unit_count(fig):
    units = [a for a in fig.axes[0].collections if isinstance(a, PathCollection)]
    return sum(len(a.get_offsets()) for a in units)


def test_network_of_weight_matrices(tmp_path):
    matrices = [np.array([[1.0, -2.0, 0.5]]), np.array([[0.1], [-0.3], [3.0]])]
    fig = plot_network(matrices, path=tmp_path / "net.png", title="tiny")
    assert_png(tmp_path / "net.png")
    _check_edges(fig, matrices)
    assert _unit_count(fig) == 1 + 3 + 1
    segments = _edges(fig)[0]
    assert [(s[0][0], s[1][0]) for s in segments] == [(0, 1)] * 3 + [(1, 2)] * 3


def test_network_of_a_keras_sequential(tmp_path):
    model = keras.Sequential(
        [keras.layers.Input(shape=(2,)), keras.layers.Dense(3, activation="relu"),
         keras.layers.Dropout(0.1), keras.layers.Dense(1, activation="sigmoid")]
    )  # fmt: skip
    fig = plot_network(model, path=tmp_path / "keras.png")
    assert_png(tmp_path / "keras.png")
    kernels = [w for w in model.get_weights() if w.ndim == 2]  # (in, out), as drawn
    _check_edges(fig, kernels)
    assert _unit_count(fig) == 2 + 3 + 1
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(model.layers[0].name in t and "3 units" in t for t in texts)


def test_network_of_an_nn_sequential_uses_weight_transposed(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    fig = plot_network(model, path=tmp_path / "torch.png")
    assert_png(tmp_path / "torch.png")
    _check_edges(fig, [model[0].weight.detach().numpy().T, model[2].weight.detach().numpy().T])
    assert _unit_count(fig) == 3 + 4 + 2


def test_network_shows_twenty_units_of_a_wide_layer():
    fig = plot_network([np.ones((100, 2)), np.ones((2, 1))])
    assert _unit_count(fig) == 20 + 2 + 1
    assert len(_edges(fig)[0]) == 20 * 2 + 2
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("100 units" in t and "20 shown" in t for t in texts)


def test_network_arguments_are_checked():
    with pytest.raises(ValueError, match="has 3 outputs but layer 2 expects 2 inputs"):
        plot_network([np.ones((2, 3)), np.ones((2, 1))])
    with pytest.raises(ValueError, match="2-D weight matrices"):
        plot_network([np.ones(3)])

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = nn.Parameter(ns.ones(3))

    with pytest.raises(ValueError, match=r"Dense/Linear layers only.*\(Scale\)"):
        plot_network(nn.Sequential(nn.Linear(2, 3), Scale()))
    with pytest.raises(ValueError, match="is the Keras model built"):
        plot_network(keras.Sequential([keras.layers.Dense(2)]))
    with pytest.raises(TypeError, match="list of weight matrices"):
        plot_network("model")


def test_plots_draw_on_the_axes_of_a_figure_made_without_pyplot(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure(layout="constrained")
    axes = fig.subplots(1, 3)
    assert plot_history({"a": [1.0, 0.5], "b": [2.0, 1.0]}, ax=axes[0], title="losses") is fig
    assert plot_decision_boundary(lambda p: p[:, 0], POINTS, LABELS, ax=axes[1]) is fig
    assert plot_network([np.ones((2, 2))], ax=axes[2], path=tmp_path / "fig.png") is fig
    assert_png(tmp_path / "fig.png")
    assert len(fig.axes) == 3  # no colour bar added to a layout that is the caller's
    assert len(axes[0].get_lines()) == 2 and axes[0].get_title() == "losses"


# ---- without matplotlib -------------------------------------------------------------------------
def test_plots_without_matplotlib_name_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import matplotlib...` fail
    calls = [
        lambda: plot_history([1.0]),
        lambda: plot_decision_boundary(lambda p: p[:, 0], POINTS, LABELS),
        lambda: plot_network([np.ones((2, 1))]),
    ]
    for call in calls:
        with pytest.raises(ImportError, match=re.escape("pip install 'nnscratch[plot]'")):
            call()
    assert export_graph(ns.tensor(1.0)).startswith("digraph")  # needs no extra


def test_importing_viz_does_not_import_matplotlib():
    code = "import sys, nnscratch.viz; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_agg_backend_when_there_is_no_display(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)
    assert _matplotlib._headless()
    monkeypatch.setenv("DISPLAY", ":0")
    assert not _matplotlib._headless()
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("MPLBACKEND", "pdf")
    assert not _matplotlib._headless()


# ---- export_graph -------------------------------------------------------------------------------
def _hand_graph():
    """loss = sum(c + c * a) with c = a * b: ops Mul, Mul, Add, Sum; leaves a, b; 7 uses."""
    a = ns.tensor([1.0, 2.0], requires_grad=True)
    b = ns.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    return a, b, (c + c * a).sum()


def _dot(text):
    (graph,) = pydot.graph_from_dot_data(text)
    nodes = [n for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    edges = [(e.get_source(), e.get_destination()) for e in graph.get_edges()]
    return {n.get_name(): n.get("label").strip('"') for n in nodes}, edges


def _mermaid(text):
    """A small structural parser: nodes ``id["label"]`` or ``id(["label"])``, edges ``a --> b``."""
    lines = text.splitlines()
    assert lines[0].split()[0] in ("flowchart", "graph")
    nodes, edges = {}, []
    for line in lines[1:]:
        if node := re.fullmatch(r'\s*(\w+)(\["|\(\[")(.*?)("\]|"\]\))', line):
            assert node[1] not in nodes and "\n" not in node[3] and '"' not in node[3]
            nodes[node[1]] = node[3]
        elif edge := re.fullmatch(r"\s*(\w+) --> (\w+)", line):
            edges.append((edge[1], edge[2]))
        else:
            assert re.fullmatch(r"\s*(classDef|class) .+", line), line
    assert all(a in nodes and b in nodes for a, b in edges)
    return nodes, edges


def _numbers(label, key):
    """The numbers after ``key ... =`` in a label, e.g. the gradient's values."""
    match = re.search(re.escape(key) + r"[^=]*= \[([^\]]*)\]", label)
    return [float(v) for v in match[1].split(",")] if match else None


@pytest.mark.parametrize("fmt, parse", [("dot", _dot), ("mermaid", _mermaid)])
def test_export_graph_has_one_node_per_op_and_leaf_and_one_edge_per_use(fmt, parse):
    a, b, loss = _hand_graph()
    loss.backward(retain_graph=True)
    nodes, edges = parse(export_graph(loss, format=fmt, names={"a": a}))
    assert len(nodes) == 6 and len(edges) == 7
    kinds = sorted(re.match(r"\w+", label)[0] for label in nodes.values())
    assert kinds == ["Add", "Mul", "Mul", "Sum", "a", "leaf"]
    sources = [src for src, _ in edges]
    (a_node,) = [n for n, label in nodes.items() if label.startswith("a")]
    assert sources.count(a_node) == 2  # a feeds both products
    (root,) = set(nodes) - set(sources)
    assert nodes[root].startswith("Sum") and _numbers(nodes[root], "float32") is None
    assert "30" in nodes[root]  # 1*3 + 2*4 + 1*3*1 + 2*4*2
    assert _numbers(nodes[a_node], "float32") == [1.0, 2.0]
    assert _numbers(nodes[a_node], "grad") == [9.0, 20.0]  # d/da = b + 2ab


def test_export_graph_shows_shapes_only_for_large_tensors_and_constants_as_leaves():
    w = ns.ones(10, 10, requires_grad=True)
    out = (w @ ns.full((10, 3), 2.0)).relu()
    nodes, edges = _dot(export_graph(out))
    assert len(nodes) == 4 and len(edges) == 3
    labels = sorted(nodes.values())
    assert any(label.startswith("MatMul") and "(10, 3) float32" in label for label in labels)
    assert all("=" not in label.split("\\n")[1] for label in labels)  # no values printed
    assert sum("requires_grad" in label for label in labels) == 1


def test_export_graph_walks_a_deep_chain_without_recursion():
    x = ns.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(1500):  # deeper than Python's default recursion limit
        y = y * 1.0
    nodes, edges = _mermaid(export_graph(y, format="mermaid"))
    assert len(nodes) == 1501 and len(edges) == 1500


def test_export_graph_after_backward_shows_the_freed_root_and_checks_arguments():
    _, _, loss = _hand_graph()
    loss.backward()
    nodes, edges = _dot(export_graph(loss))
    assert len(nodes) == 1 and not edges and "freed" in next(iter(nodes.values()))
    with pytest.raises(ValueError, match=r"unknown format 'svg'.*'dot', 'mermaid'"):
        export_graph(loss, format="svg")
    with pytest.raises(TypeError, match="expects a Tensor, received ndarray"):
        export_graph(np.ones(2))

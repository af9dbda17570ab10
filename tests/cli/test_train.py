"""``nnscratch summary`` and ``nnscratch train`` on small files the tests write."""

import numpy as np
import pytest
from cli_helpers import one_error_line, write_csv, write_json

import nnscratch as ns
from nnscratch import keras
from nnscratch.cli import main

X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XOR = [0, 1, 1, 0]
AND = [0, 0, 0, 1]
OR = [0, 1, 1, 1]
CONFIG = {
    "input_shape": [2],
    "layers": [
        {"type": "Dense", "units": 8, "activation": "relu"},
        {"type": "Dense", "units": 1, "activation": "sigmoid"},
    ],
    "optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.05}},
    "loss": "binary_crossentropy",
    "metrics": ["binary_accuracy"],
    "epochs": 200,
    "batch_size": 4,
}


def test_summary_counts_parameters(tmp_path, capsys):
    assert main(["summary", "--config", write_json(tmp_path / "m.json", CONFIG)]) == 0
    out = capsys.readouterr().out
    # Dense 2 -> 8: 2*8 weights + 8 biases; Dense 8 -> 1: 8 + 1.
    assert "(None, 8)" in out and "(None, 1)" in out
    assert "24" in out and "Total params: 33" in out


def test_summary_of_the_keras_form(tmp_path, capsys):
    config = {
        "class_name": "Sequential",
        "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [None, 3]}},
            {"class_name": "Dense", "config": {"units": 4, "activation": "tanh"}},
            {"class_name": "Dense", "config": {"units": 2}},
        ]},
    }  # fmt: skip
    assert main(["summary", "--config", write_json(tmp_path / "k.json", config)]) == 0
    assert "Total params: 26" in capsys.readouterr().out  # 3*4 + 4 + 4*2 + 2


def test_train_on_csv_learns_xor_and_saves(tmp_path, capsys):
    data = write_csv(tmp_path / "xor.csv", ["a", "b", "y"], [[*x, t] for x, t in zip(X, XOR)])
    config = write_json(tmp_path / "m.json", CONFIG)
    saved = tmp_path / "xor.keras"
    assert main(["train", "--config", config, "--data", data, "--save", str(saved), "-q"]) == 0
    out = capsys.readouterr().out
    assert "Trained 200 epochs on 4 rows" in out and "binary_accuracy 1.0000" in out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [[float(v) for v in row[:3]] for row in rows] == [[*x, t] for x, t in zip(X, XOR)]
    predicted = np.array([float(row[3]) for row in rows])
    assert (predicted.round() == XOR).all()
    restored = keras.models.load_model(saved)  # the saved model predicts what was printed
    again = restored.predict(np.array(X, np.float32), verbose=0).ravel()
    np.testing.assert_allclose(again, predicted, atol=6e-5)


def test_train_on_npz(tmp_path, capsys):
    path = tmp_path / "and.npz"
    np.savez(path, x=np.array(X, np.float32), y=np.array(AND, np.float32)[:, None])
    config = write_json(tmp_path / "m.json", CONFIG)
    assert main(["train", "--config", config, "--data", str(path), "-q"]) == 0
    out = capsys.readouterr().out
    assert "binary_accuracy 1.0000" in out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [round(float(row[-1])) for row in rows] == AND


def test_two_target_columns(tmp_path, capsys):
    rows = [[*x, a, o] for x, a, o in zip(X, AND, OR)]
    data = write_csv(tmp_path / "gates.csv", ["a", "b", "and", "or"], rows)
    config = dict(CONFIG, layers=[CONFIG["layers"][0], {"type": "Dense", "units": 2,
                                                        "activation": "sigmoid"}])  # fmt: skip
    argv = ["train", "--config", write_json(tmp_path / "m.json", config), "--data", data,
            "--target", "and,or", "--epochs", "300", "-q"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "predicted 0" in out and "predicted 1" in out
    printed = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [[round(float(v)) for v in row[4:]] for row in printed] == [
        [a, o] for a, o in zip(AND, OR)
    ]


def test_the_seed_makes_a_run_repeat(tmp_path, capsys):
    data = write_csv(tmp_path / "and.csv", ["a", "b", "y"], [[*x, t] for x, t in zip(X, AND)])
    argv = ["train", "--config", write_json(tmp_path / "m.json", CONFIG), "--data", data,
            "--epochs", "5", "--seed", "3", "-q"]  # fmt: skip
    outputs = []
    for disturbance in range(2):  # whatever the global generators did before
        np.random.seed(disturbance)
        ns.manual_seed(disturbance)
        assert main(argv) == 0
        outputs.append(capsys.readouterr().out.splitlines()[1:])  # all but the timing line
    assert outputs[0] == outputs[1]


BAD_CONFIGS = [
    ({"input_shape": [2], "layers": [{"type": "Conv9D", "units": 1}]}, "Conv9D"),
    ({"input_shape": [2]}, "'layers'"),
    ({"layers": [{"type": "Dense", "units": 1}]}, "'input_shape'"),
    ({"input_shape": [2], "layers": [{"units": 1}]}, "'type'"),
    ({"input_shape": [2], "layers": [{"type": "Dense"}]}, "units"),
    ({"input_shape": [2], "layers": [{"type": "Dense", "units": 1, "activaton": "relu"}]},
     "activaton"),
    ({"input_shape": [2], "layers": [{"type": "Dense", "units": 1}], "epoch": 5}, "'epoch'"),
    ({"input_shape": [2], "layers": [{"type": "Dense", "units": 1}], "loss": "nope"}, "'loss'"),
    ({"input_shape": [2], "layers": [{"type": "Dense", "units": 1}], "epochs": 0}, "'epochs'"),
    ({"input_shape": "two", "layers": [{"type": "Dense", "units": 1}]}, "'input_shape'"),
]  # fmt: skip


@pytest.mark.parametrize("config, named", BAD_CONFIGS)
def test_bad_config_exits_2_naming_the_field(tmp_path, capsys, config, named):
    line = one_error_line(capsys, ["summary", "--config", write_json(tmp_path / "c.json", config)])
    assert line.startswith("nnscratch summary: error: config") and named in line


def test_bad_files_exit_2(tmp_path, capsys):
    config = write_json(tmp_path / "m.json", CONFIG)
    data = write_csv(tmp_path / "d.csv", ["a", "b", "y"], [[*x, t] for x, t in zip(X, XOR)])
    (tmp_path / "broken.json").write_text("{not json")
    bad_csv = write_csv(tmp_path / "bad.csv", ["a", "b", "y"], [[0, "zero", 1]])
    np.savez(tmp_path / "no_y.npz", x=np.zeros((4, 2), np.float32))
    wide = write_json(tmp_path / "wide.json", dict(CONFIG, input_shape=[3]))
    cases = [
        (["summary", "--config", str(tmp_path / "missing.json")], "missing.json"),
        (["summary", "--config", str(tmp_path / "broken.json")], "JSON"),
        (["train", "--config", config, "--data", str(tmp_path / "none.csv")], "none.csv"),
        (["train", "--config", config, "--data", bad_csv], "'zero'"),
        (["train", "--config", config, "--data", str(tmp_path / "no_y.npz")], "'y'"),
        (["train", "--config", config, "--data", data, "--target", "z"], "'z'"),
        (["train", "--config", wide, "--data", data], "input_shape"),
        (["train", "--config", config, "--data", config], ".csv or .npz"),
        (["train", "--config", config, "--data", data, "--save", "m.h5"], ".keras"),
        (["train", "--config", config, "--data", data, "--epochs", "0"], "--epochs"),
        (["train", "--config", config], "--data"),
    ]
    for argv, named in cases:
        line = one_error_line(capsys, argv)
        assert "error" in line and named in line, (argv, line)

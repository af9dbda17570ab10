"""``nnscratch summary`` and ``train`` on hostile files: each is refused with exit 2 and one line
naming the field (or the CSV line and column), before anything large is made."""

import json
import tracemalloc

import numpy as np
import pytest
from cli_helpers import one_error_line, write_csv

from nnscratch.cli import main
from nnscratch.cli.data import Data
from nnscratch.cli.limits import MAX_SEED
from nnscratch.cli.train import predictions_table

DENSE = {"type": "Dense", "units": 1, "activation": "sigmoid"}
GOOD = {"input_shape": [2], "layers": [DENSE], "epochs": 2}
XOR_ROWS = [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]
HEADER = ("a", "b", "y")


def config_file(tmp_path, config) -> str:
    path = tmp_path / "c.json"
    path.write_bytes(config if isinstance(config, bytes) else json.dumps(config).encode())
    return str(path)


def run_both(tmp_path, capsys, config) -> list[str]:
    """The error lines of ``summary`` and of ``train`` (on a good table) for ``config``."""
    path = config_file(tmp_path, config)
    data = write_csv(tmp_path / "xor.csv", HEADER, XOR_ROWS)
    return [
        one_error_line(capsys, ["summary", "--config", path]),
        one_error_line(capsys, ["train", "--config", path, "--data", data, "-q"]),
    ]


# ---- item 1: non-finite cells ------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["nan", "inf", "-inf", "Infinity", "1e39"])
@pytest.mark.parametrize("column", [1, 2])  # an input, then the target
def test_non_finite_cell_names_line_and_column(tmp_path, capsys, cell, column):
    rows = [list(r) for r in XOR_ROWS]
    rows[2][column] = cell
    data = write_csv(tmp_path / "d.csv", HEADER, rows)
    config = config_file(tmp_path, GOOD)
    line = one_error_line(capsys, ["train", "--config", config, "--data", data, "-q"])
    assert f"line 4, column {'by'[column - 1]!r}: {cell!r}" in line, line
    assert capsys.readouterr().out == ""  # refused before training: no "Final loss nan"


NPZ_CASES = [
    ({"x": [[0, 0], [1, np.nan]], "y": [0, 1]}, "array 'x' at index (1, 1)"),
    ({"x": [[0, 0], [1, 1]], "y": [0, np.inf]}, "array 'y' at index (1,)"),
    ({"x": [[0, 0], [1, 1e300]], "y": [0, 1]}, "array 'x' at index (1, 1)"),  # beyond float32
    ({"x": [["a", "b"], ["c", "d"]], "y": [0, 1]}, "array 'x' holds <U1"),
    ({"x": [[0, 0], [1, 1]], "y": 3}, "y ()"),
]


@pytest.mark.parametrize("arrays, named", NPZ_CASES)
def test_npz_with_non_finite_or_non_numbers(tmp_path, capsys, arrays, named):
    np.savez(tmp_path / "d.npz", **{k: np.array(v) for k, v in arrays.items()})
    argv = ["train", "--config", config_file(tmp_path, GOOD), "--data", str(tmp_path / "d.npz")]
    assert named in one_error_line(capsys, argv)


def test_csv_that_is_not_utf8(tmp_path, capsys):
    (tmp_path / "d.csv").write_bytes(b"a,b,y\n0,0,0\n0,\xff,1\n")
    argv = ["train", "--config", config_file(tmp_path, GOOD), "--data", str(tmp_path / "d.csv")]
    assert "line 3 has the byte 0xff" in one_error_line(capsys, argv)


def test_predictions_of_a_diverged_model_are_printed(tmp_path):
    data = Data(np.zeros((2, 1), np.float32), np.zeros((2, 1), np.float32), ["a"], ["y"])
    table = predictions_table(data, np.array([[np.nan], [np.inf]]))
    assert "nan" in table and "inf" in table


# ---- item 4: configs of the wrong types --------------------------------------------------------
def layers(*specs):
    return {"input_shape": [2], "layers": list(specs)}


HOSTILE = [
    (b'{"input_shape": [2], "layers": [{"type": "Dense\xff", "units": 1}]}', "UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    (json.dumps(layers({"a": json.loads("[" * 70 + "]" * 70)})).encode(), "nested more than"),
    (b'{"input_shape": [2], "layers": [' + b" " * (1 << 20) + b"]}", "larger than"),
    (b'{"input_shape": [2], "layers": [{"type": "Dense", "units": NaN}]}', "NaN"),
    (b'{"input_shape": [2], "layers": [{"type": "Dense", "units": 1e400}]}', "1e400"),
    (b'{"input_shape": [2], "layers": [{"type": "Dense", "units": 1' + b"0" * 5000 + b"}]}",
     "digits"),
    (layers({"class_name": ["Dense"], "config": {"units": 1}}), "'class_name'"),
    (layers({"class_name": {"a": 1}, "config": {"units": 1}}), "'class_name'"),
    (layers({"type": ["Dense"], "units": 1}), "'type'"),
    (layers({"type": {"Dense": 1}, "units": 1}), "'type'"),
    (layers({"class_name": "Dense", "config": [1, 2]}), "'config'"),
    (layers({"class_name": "Dense", "config": "units=1"}), "'config'"),
    (layers({"class_name": "Dense", "config": {"units": 1, "kernel_initializer": {
        "class_name": [1], "config": 5}}}), "layers[0] (Dense)"),
    (layers({"type": "Dense", "units": 1, "activation": {"x": 1}}), "layers[0] (Dense)"),
    (layers({"type": "Dense", "units": 1, "dtype": "int32"}), "'dtype'"),
    ({**layers(DENSE), "seed": 10**12}, f"'seed' must be an integer from 0 to {MAX_SEED:,}"),
    ({**layers(DENSE), "seed": -1}, "'seed'"),
    ({**layers(DENSE), "metrics": {"out": "accuracy"}}, "'metrics'"),
    ({**layers(DENSE), "metrics": "accuracy"}, "'metrics'"),
    ({**layers(DENSE), "optimizer": ["adam"]}, "'optimizer'"),
    ({**layers(DENSE), "optimizer": "accuracy"}, "'optimizer'"),
    ({**layers(DENSE), "optimizer": {"class_name": "Adam", "config": {"beta_1": "x"}}},
     "beta_1"),
    ({**layers(DENSE), "optimizer": {"class_name": "Adam", "config": {"amsgrad": 3}}},
     "amsgrad"),
    ({**layers(DENSE), "optimizer": {"class_name": "SGD", "config": {"momentum": [1]}}},
     "'optimizer'"),
    ({**layers(DENSE), "loss": ["mse"]}, "'loss'"),
    ({**layers(DENSE), "input_shape": [True, 2]}, "'input_shape'"),
    ({"class_name": "Sequential", "config": {"layers": [DENSE]}, "compile_config": [1]},
     "'compile_config'"),
    ({"layers": [{"class_name": "InputLayer", "config": {"batch_shape": 5}}, DENSE]},
     "'batch_shape'"),
]  # fmt: skip


@pytest.mark.parametrize("config, named", HOSTILE)
def test_hostile_config_exits_2_naming_the_field(tmp_path, capsys, config, named):
    for line in run_both(tmp_path, capsys, config):
        assert ": error: " in line and named in line, line


def test_a_seed_on_the_command_line_is_in_range_too(tmp_path, capsys):
    data = write_csv(tmp_path / "xor.csv", HEADER, XOR_ROWS)
    for seed in ("-1", str(MAX_SEED + 1)):
        argv = ["train", "--config", config_file(tmp_path, GOOD), "--data", data, "--seed", seed]
        assert "--seed" in one_error_line(capsys, argv)
    assert "--seed" in one_error_line(capsys, ["gates", "--seed", "-1", "--no-plots"])


# ---- item 5: sizes that would fill the memory or never end -------------------------------------
HUGE = [
    (layers({"type": "Dense", "units": 10**12}), "Dense 'dense'"),
    (layers({"type": "Dense", "units": 10**9}), "Dense 'dense'"),
    (layers({"type": "Dense", "units": 64}, {"type": "Dense", "units": 10**12}), "'dense_1'"),
    ({"input_shape": [10**6], "layers": [{"type": "Dense", "units": 10**6}]}, "'kernel'"),
    ({"input_shape": [5], "layers": [{"type": "Embedding", "input_dim": 10**12,
                                      "output_dim": 8}]}, "Embedding 'embedding'"),
    ({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2]}},
        {"class_name": "Dense", "config": {"units": 10**12},
         "build_config": {"input_shape": [None, 10**6]}}]}}, "Dense 'dense'"),
]  # fmt: skip


@pytest.mark.parametrize("config, named", HUGE)
def test_huge_weights_are_refused_before_they_are_made(tmp_path, capsys, config, named):
    tracemalloc.start()
    try:
        lines = run_both(tmp_path, capsys, config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    for line in lines:
        assert named in line and "1 GiB of weights" in line, line
    assert peak < 200 * 2**20  # nothing near the size asked for was allocated


@pytest.mark.parametrize(
    "config, named",
    [
        ({"input_shape": [10**12], "layers": [{"type": "Flatten"}]}, "'input_shape'"),
        ({"input_shape": [10**30, 10**30], "layers": [{"type": "Flatten"}]}, "'input_shape'"),
        ({"input_shape": [10, 10, 1], "layers": [{"type": "Conv2DTranspose", "filters": 1,
          "kernel_size": 1, "strides": 5000}]}, "'conv2d_transpose'"),
        ({**GOOD, "epochs": 10**12}, "'epochs'"),
        ({**GOOD, "layers": [{"type": "Dense", "units": 1}] * 5000}, "'layers'"),  # n**2 steps
        ({**GOOD, "batch_size": 10**12}, "'batch_size'"),
    ],
)  # fmt: skip
def test_huge_shapes_and_counts_are_refused(tmp_path, capsys, config, named):
    for line in run_both(tmp_path, capsys, config):
        assert named in line, line


def test_huge_command_line_counts_are_refused(tmp_path, capsys):
    base = ["train", "--config", config_file(tmp_path, GOOD), "--data"]
    base.append(write_csv(tmp_path / "xor.csv", HEADER, XOR_ROWS))
    assert "--epochs" in one_error_line(capsys, [*base, "--epochs", str(10**12)])
    assert "--batch-size" in one_error_line(capsys, [*base, "--batch-size", str(10**12)])


def test_a_batch_too_large_for_the_memory_is_refused(tmp_path, capsys):
    # 2**20 outputs a row fit; 1,100 rows a batch of them (4.6 GB) do not.
    config = {"input_shape": [1], "layers": [{"type": "Dense", "units": 2**20}, DENSE],
              "batch_size": 2048, "epochs": 1}  # fmt: skip
    np.savez(tmp_path / "d.npz", x=np.zeros((1100, 1), np.float32), y=np.zeros((1100, 1)))
    argv = ["train", "--config", config_file(tmp_path, config), "--data", str(tmp_path / "d.npz")]
    assert "field 'batch_size'" in one_error_line(capsys, [*argv, "-q"])
    assert "--batch-size" in one_error_line(capsys, [*argv, "--batch-size", "1500", "-q"])
    assert main(["summary", "--config", argv[2]]) == 0  # one row at a time is fine
    capsys.readouterr()


def test_a_batch_larger_than_the_table_is_fine(tmp_path, capsys):
    data = write_csv(tmp_path / "xor.csv", HEADER, XOR_ROWS)
    config = config_file(tmp_path, {**GOOD, "batch_size": 2**31 - 1})
    assert main(["train", "--config", config, "--data", data, "-q"]) == 0
    assert "Trained 2 epochs on 4 rows" in capsys.readouterr().out

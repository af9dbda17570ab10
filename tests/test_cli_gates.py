"""``nnscratch gates`` and the command line as a whole: exit codes, one-line errors, --help."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nnscratch
from nnscratch.cli import main

ROOT = Path(__file__).resolve().parents[1]
# The truth tables, typed in: the oracle for what every style must predict.
TRUTH = {
    "and": {(0, 0): 0, (0, 1): 0, (1, 0): 0, (1, 1): 1},
    "xor": {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0},
    "nor": {(0, 0): 1, (0, 1): 0, (1, 0): 0, (1, 1): 0},
    "not": {(0,): 1, (1,): 0},
}


def tables(out: str) -> dict[str, list[list[str]]]:
    """The printed truth tables: gate -> rows of cells (inputs, target, then p/pred pairs)."""
    found, gate = {}, None
    for line in out.splitlines():
        if line.strip().upper() == line.strip() and line.strip().lower() in TRUTH:
            gate = line.strip().lower()
            found[gate] = []
        elif gate and line.strip() and line.strip()[0].isdigit():
            found[gate].append(line.split())
        elif gate and not line.strip():
            gate = None
    return found


def check_learned(out: str, gate: str, styles: int) -> None:
    rows = tables(out)[gate]
    truth = TRUTH[gate]
    assert len(rows) == len(truth)
    n = len(next(iter(truth)))
    for row in rows:
        inputs = tuple(int(v) for v in row[:n])
        assert int(row[n]) == truth[inputs]
        pairs = row[n + 1 :]
        assert len(pairs) == 2 * styles
        for p, pred in zip(pairs[::2], pairs[1::2]):
            assert pred == str(truth[inputs])  # no "*": the prediction is right
            assert (float(p) >= 0.5) == bool(truth[inputs])


def test_two_gates_every_style_learned(capsys):
    code = main(["gates", "--gate", "xor", "--gate", "and", "--no-plots", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0
    check_learned(out, "xor", styles=3)
    check_learned(out, "and", styles=3)
    assert out.count("accuracy 4/4 = 100%") == 6
    assert "6 models (2 gates x 3 styles)" in out and "every truth table learned" in out


def test_one_style_comma_list_and_the_one_input_not(capsys):
    args = ["gates", "--gate", "not,nor", "--style", "torch", "--no-plots", "-q", "--seed", "3"]
    assert main(args) == 0
    out = capsys.readouterr().out
    check_learned(out, "not", styles=1)
    check_learned(out, "nor", styles=1)
    assert "scratch p" not in out and "keras p" not in out


def test_options_reach_the_model(capsys):
    args = ["gates", "--gate", "xor", "--style", "scratch", "--epochs", "7", "--lr", "0.3",
            "--hidden", "3", "--no-plots", "-q"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2-3-1 sigmoid" in out and "lr 0.3, 7 steps" in out
    # Seven small steps cannot learn XOR: the summary must say so rather than claim success.
    assert "not learned: xor/scratch" in out


def test_the_articles_two_hidden_units_stall_on_and(capsys):
    # What the help promises: without biases, 2 hidden units leave one AND row at p ~ 0.5.
    assert main(["gates", "--gate", "and", "--style", "scratch", "--hidden", "2",
                 "--no-plots", "-q"]) == 0  # fmt: skip
    assert "not learned: and/scratch" in capsys.readouterr().out


def test_plots_are_written_and_named(tmp_path, capsys):
    out_dir = tmp_path / "pictures"
    assert main(["gates", "--gate", "xor", "--style", "scratch", "--out", str(out_dir), "-q"]) == 0
    captured = capsys.readouterr()
    if importlib.util.find_spec("matplotlib") is None:
        assert "plots skipped" in captured.err
        pytest.skip("matplotlib is not installed: no pictures to check")
    named = [
        Path(line.strip()) for line in captured.out.splitlines() if line.strip().endswith(".png")
    ]
    assert {p.name for p in named} == {"gates.png", "losses.png", "network.png", "xor.png"}
    for path in named:
        assert path.parent == out_dir
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


BAD = [
    (["gates", "--epochs", "0"], "--epochs"),
    (["gates", "--epochs", "many"], "--epochs"),
    (["gates", "--lr", "-1"], "--lr"),
    (["gates", "--hidden", "0"], "--hidden"),
    (["gates", "--gate", "xor,maybe"], "maybe"),
    (["gates", "--style", "jax"], "--style"),
    (["gates", "--seed", "x"], "--seed"),
    (["nonsense"], "nonsense"),
    ([], "COMMAND"),
]


@pytest.mark.parametrize("argv, named", BAD)
def test_bad_arguments_exit_2_with_one_line(capsys, argv, named):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "error" in lines[0] and named in lines[0], captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"nnscratch {nnscratch.__version__}"


def test_python_dash_m_help_runs_in_a_fresh_process():
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "nnscratch", "--help"], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for command in ("gates", "trace", "summary", "train"):
        assert command in done.stdout
    assert done.stderr == ""

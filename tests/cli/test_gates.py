"""``nnscratch gates`` and the command line as a whole: exit codes, one-line errors, --help."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nnscratch
from nnscratch.cli import main

ROOT = Path(__file__).resolve().parents[2]
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


# ---- --out is checked before training (issue 18) -----------------------------------------------
def test_out_that_is_a_file_exits_2_before_training(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    for out in (taken, taken / "sub" / "deeper"):
        line = one_line_error(capsys, ["gates", "--gate", "xor", "--out", str(out), "-q"])
        assert "--out" in line and repr(str(out)) in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]  # nothing was made


def test_out_where_a_picture_would_replace_a_folder(tmp_path, capsys):
    (tmp_path / "xor.png").mkdir()
    line = one_line_error(capsys, ["gates", "--gate", "xor", "--out", str(tmp_path), "-q"])
    assert "--out" in line and "xor.png" in line, line


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_out_in_a_folder_without_write_permission(tmp_path, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        line = one_line_error(capsys, ["gates", "--out", str(locked / "new"), "-q"])
    finally:
        locked.chmod(0o700)
    assert "--out" in line and "permission" in line and not (locked / "new").exists()


def test_out_may_exist_or_be_made(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    argv = ["gates", "--gate", "xor", "--style", "scratch", "--epochs", "5", "-q", "--out"]
    for out in (tmp_path, tmp_path / "a" / "b"):  # an existing folder, and one to make
        assert main([*argv, str(out)]) == 0
        assert (out / "xor.png").is_file()
    capsys.readouterr()


def one_line_error(capsys, argv):
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == "", captured  # refused before any training
    return lines[0]


# ---- the pictures read on their own: a colour key, marks that show, labelled axes --------------
@pytest.fixture(scope="module")
def figures():
    pytest.importorskip("matplotlib")
    from nnscratch.cli.gate_plots import draw_figures, picture_names
    from nnscratch.cli.output import progress
    from nnscratch.cli.styles import STYLES, train
    from nnscratch.datasets import logic_gate

    style = STYLES["scratch"]
    runs = [train(style, g, *logic_gate(g), style.defaults, progress(1, "", True))
            for g in ("xor", "not")]  # fmt: skip
    drawn = draw_figures(runs)
    assert list(drawn) == picture_names(["xor", "not"])
    return runs, drawn


def shadings(fig) -> list:
    """The filled contours of P(y=1) in ``fig``, one per panel of a two-input gate."""
    from matplotlib.contour import ContourSet

    return [c for ax in fig.axes for c in ax.collections if isinstance(c, ContourSet) and c.filled]


def test_the_shading_has_a_colour_key(figures):
    _, drawn = figures
    for name in ("gates.png", "xor.png"):
        (bands,) = shadings(drawn[name])  # the XOR panel; NOT is a curve
        assert bands.colorbar is not None, name
        assert bands.colorbar.ax.get_ylabel() == "P(y=1)", name
        legend = drawn[name].legends
        assert legend and {t.get_text() for t in legend[0].get_texts()} == {"y=0", "y=1"}


def test_the_targets_stand_out_on_the_region_under_them(figures):
    from matplotlib.contour import ContourSet

    runs, drawn = figures
    run = runs[0]  # xor, learned: each point sits on the shade of its own class
    (bands,) = shadings(drawn["xor.png"])
    ax = bands.axes
    seen = 0
    for dots in (c for c in ax.collections if not isinstance(c, ContourSet)):
        faces = np.broadcast_to(dots.get_facecolors(), (len(dots.get_offsets()), 4))
        for point, face in zip(dots.get_offsets(), faces):
            p = np.ravel(run.predict(np.array([point], np.float32)))[0]
            region = shade_at(bands, p)
            assert np.abs(face[:3] - region).max() > 0.5, (point, face, region)
            seen += 1
    assert seen == len(run.x)


def shade_at(bands, p: float) -> np.ndarray:
    """The RGB that the filled contours ``bands`` show where the model says ``p``, on white."""
    band = int(np.clip(np.searchsorted(bands.levels, p) - 1, 0, len(bands.levels) - 2))
    alpha = bands.get_alpha()
    return alpha * np.array(bands.to_rgba(bands.layers[band])[:3]) + (1 - alpha)


def test_every_loss_panel_says_what_it_plots(figures):
    _, drawn = figures
    panels = [ax for ax in drawn["losses.png"].axes if ax.lines]
    panels += [ax for ax in drawn["xor.png"].axes if ax.get_title().endswith("loss")]
    assert len(panels) == 3  # xor and not, then the xor picture's one style
    for ax in panels:
        assert ax.get_ylabel() == "loss" and ax.get_xlabel() == "step"

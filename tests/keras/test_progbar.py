"""fit's progress output in Keras 3's format: in a pseudo-terminal 80 columns wide (a live line
that stays on one line, then a final line with every metric), through a pipe (one line per
epoch, no redraws), and line for line against real Keras 3's own output."""

import importlib.util
import json
import os
import re
import select
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nnscratch import keras as nk

# A child process fits a small model with metrics and a validation split three times, then
# evaluates and predicts; the lines up to each HISTORY marker belong to one call. Slow() makes
# steps last long enough for live redraws.
CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    import numpy as np
    lib, pause = sys.argv[1], float(sys.argv[2])
    if lib == "keras":
        os.environ["KERAS_BACKEND"] = "torch"
        import keras
    else:
        from nnscratch import keras
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((300, 2)).astype("float32")
    y = (x.sum(axis=1) > 1).astype("float32")
    class Slow(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            time.sleep(pause)
    for verbose, epochs in [(1, 2), (2, 2), (1, 1)]:
        model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy",
                      metrics=["binary_accuracy", "mae"])
        history = model.fit(x, y, batch_size=8, epochs=epochs, validation_split=0.2,
                            verbose=verbose, callbacks=[Slow()])
        print("HISTORY " + json.dumps(history.history), flush=True)
    model.evaluate(x, y, batch_size=32, verbose=1)
    print("HISTORY {}", flush=True)
    model.predict(x, batch_size=32, verbose=1)
    print("HISTORY {}", flush=True)
    """
)
STEPS = 30  # 240 training rows in batches of 8
NAMES = ["binary_accuracy", "loss", "mae", "val_binary_accuracy", "val_loss", "val_mae"]
TIME = r"\d+s \d+(?:us|ms|s)/step"
VERBOSE_1 = re.compile(rf"^(\d+)/(\d+) ━{{20}} {TIME}((?: - \w+: \S+)*)$")
VERBOSE_2 = re.compile(rf"^(\d+)/(\d+) - {TIME.replace(' ', ' - ')}((?: - \w+: \S+)*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m|\x08")


def _keras_value(value: float) -> str:
    """Keras's Progbar: 4 decimals, or scientific notation at or below 1e-3."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def _piped(lib: str, pause: float = 0.0) -> str:
    args = [sys.executable, "-c", CHILD, lib, str(pause)]
    done = subprocess.run(args, stdout=subprocess.PIPE, env=_env(), timeout=300)
    assert done.returncode == 0
    return done.stdout.decode()  # bytes as written: text mode would turn "\r" into "\n"


def _in_terminal(columns: int, pause: float) -> str:
    """The child's output in a pseudo-terminal ``columns`` wide, as the terminal received it."""
    import fcntl
    import pty
    import struct
    import termios

    master, child_end = pty.openpty()
    fcntl.ioctl(child_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    args = [sys.executable, "-c", CHILD, "nnscratch", str(pause)]
    proc = subprocess.Popen(args, stdin=child_end, stdout=child_end, env=_env())
    os.close(child_end)
    received = b""
    while select.select([master], [], [], 120)[0]:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    return received.decode().replace("\r\n", "\n")  # the terminal's newline translation


def _fits(output: str) -> list[tuple[list[str], dict]]:
    """Each fit's printed lines and its History."""
    fits, lines = [], []
    for line in output.split("\n"):
        if line.startswith("HISTORY "):
            fits.append((lines, json.loads(line[len("HISTORY ") :])))
            lines = []
        elif line:
            lines.append(line)
    return fits


def _check_final_line(line: str, pattern: re.Pattern, history: dict, epoch: int) -> None:
    match = pattern.match(line)
    assert match, line
    assert match[1] == match[2] == str(STEPS)
    shown = dict(item.split(": ") for item in match[3].split(" - ")[1:])
    assert list(shown) == NAMES  # every metric, validation included, in Keras's order
    assert shown == {name: _keras_value(history[name][epoch]) for name in NAMES}


def _check_fits(fits: list, final_of=lambda line: line) -> None:
    for (lines, history), (pattern, epochs) in zip(
        fits, [(VERBOSE_1, 2), (VERBOSE_2, 2), (VERBOSE_1, 1)]
    ):
        if epochs == 1:  # as Keras: no "Epoch 1/1"
            assert len(lines) == 1
            _check_final_line(final_of(lines[0]), pattern, history, 0)
            continue
        assert len(lines) == 2 * epochs  # "Epoch i/n", then one line
        for epoch in range(epochs):
            assert lines[2 * epoch] == f"Epoch {epoch + 1}/{epochs}"
            _check_final_line(final_of(lines[2 * epoch + 1]), pattern, history, epoch)


def test_a_pipe_gets_one_line_per_epoch_and_no_redraws():
    output = _piped("nnscratch", pause=0.01)  # slow enough that a terminal would redraw
    assert "\r" not in output and "\x1b" not in output
    fits = _fits(output)
    assert len(fits) == 5
    _check_fits(fits)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_terminal_80_columns_wide_gets_a_live_line_then_every_metric():
    fits = _fits(_in_terminal(80, pause=0.01))
    assert len(fits) == 5
    _check_fits(fits, final_of=lambda line: line.split("\r")[-1])
    live = fits[0][0][1].split("\r")[:-1]  # the first epoch's redraws, before its final line
    drawn = [s for s in live if re.match(rf" ?\d+/{STEPS} ━*─* \d+s ", s)]
    assert drawn and max(len(s) for s in live) <= 80  # each redraw fits on its line
    assert int(drawn[0].split("/")[0]) < STEPS  # drawn while the epoch ran


def test_the_lines_match_real_keras_3():
    if importlib.util.find_spec("keras") is None and not os.environ.get("CI"):
        pytest.skip("keras is not installed")
    ours, theirs = _fits(_piped("nnscratch")), _fits(_piped("keras"))

    def skeleton(line: str) -> str:  # Keras's in-place redraws and colours, numbers hidden
        line = ANSI.sub("", line).split("\r")[-1].rstrip()  # Keras pads over a longer redraw
        line = re.sub(r"\d+(us|ms|s)/step", "T/step", re.sub(r"\d+\.\d+(e[+-]\d+)?", "V", line))
        line = re.sub(r"\b\d+s\b", "Ns", line)  # elapsed seconds: 0s or 1s, by the load
        parts = line.split(" - ")  # the logs come last; Keras sorts evaluate's, we do not
        return " - ".join(
            [p for p in parts if ": " not in p] + sorted(p for p in parts if ": " in p)
        )

    assert len(ours) == len(theirs) == 5
    for (our_lines, _), (their_lines, _) in zip(ours, theirs):
        assert [skeleton(s) for s in our_lines] == [skeleton(s) for s in their_lines]


def test_verbose_2_and_logs_print_in_the_logs_order(capsys, rng):
    model = nk.Sequential([nk.Input(shape=(2,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = rng.standard_normal((8, 2))
    history = model.fit(x, x[:, :1], batch_size=8, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[::2] == ["Epoch 1/2", "Epoch 2/2"]
    for epoch, line in enumerate(lines[1::2]):
        logs = {name: _keras_value(values[epoch]) for name, values in history.history.items()}
        assert line.endswith(" - " + " - ".join(f"{k}: {v}" for k, v in logs.items()))
        assert re.match(rf"1/1 - {TIME.replace(' ', ' - ')} - loss: ", line)


def test_evaluate_and_predict_print_keras_3s_line(capsys):
    model = nk.Sequential([nk.Input(shape=(2,)), nk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((40, 2), np.float32)
    loss = model.evaluate(x, x[:, :1], batch_size=32)
    model.predict(x, batch_size=32, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert re.match(rf"^2/2 ━{{20}} {TIME} - loss: {re.escape(_keras_value(loss))}$", lines[0])
    assert re.match(rf"^2/2 - {TIME.replace(' ', ' - ')}$", lines[1])

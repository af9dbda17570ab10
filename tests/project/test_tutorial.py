"""docs/tutorial.md runs, and prints what it shows.

Conventions of the tutorial: every ```python block runs, in order, in one namespace; a
```text block right after a python block is that block's output. A ```console block runs its
``$ nnscratch ...`` line through ``nnscratch.cli.main`` and the lines under it are the output
(a console block with no output lines is only shown). Everything runs in a fresh folder.
Numbers may differ in their last printed digit between machines, and timings always do.
"""

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from nnscratch import keras
from nnscratch.cli import main

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")
SECONDS = re.compile(r"\d+(?:\.\d+)? s\b")


def blocks(text: str) -> list[tuple[str, str, int]]:
    """(language, body, end offset) of each fenced block."""
    return [(m.group(1), m.group(2), m.end()) for m in FENCE.finditer(text)]


def run(text: str) -> list[tuple[str, str]]:
    """(shown output, actual output) for every block that shows one."""
    pairs, namespace, found = [], {"__name__": "tutorial"}, blocks(text)
    for i, (lang, body, end) in enumerate(found):
        if lang == "python":
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(body, f"tutorial block {i}", "exec"), namespace)
            following = found[i + 1] if i + 1 < len(found) else None
            if following and following[0] == "text" and _adjacent(text, end, following):
                pairs.append((following[1], out.getvalue()))
        elif lang == "console":
            command, *shown = body.splitlines()
            if shown:
                pairs.append(("\n".join(shown) + "\n", _console(command)))
    return pairs


def _adjacent(text: str, end: int, following) -> bool:
    start = text.index("```text\n" + following[1], end)
    return text[end:start].strip() == ""


def _console(command: str) -> str:
    args = shlex.split(command.removeprefix("$ "))
    assert args[0] == "nnscratch", command
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args[1:]) == 0, command
    return out.getvalue()


def same(shown: str, actual: str) -> bool:
    """Equal text once timings are masked, numbers equal to about their printed precision."""
    shown, actual = SECONDS.sub("T s", shown).rstrip(), SECONDS.sub("T s", actual).rstrip()
    shown_lines = [line.rstrip() for line in shown.splitlines()]
    actual_lines = [line.rstrip() for line in actual.splitlines()]
    if [NUMBER.sub("#", s) for s in shown_lines] != [NUMBER.sub("#", a) for a in actual_lines]:
        return False
    for s, a in zip(shown_lines, actual_lines):
        for x, y in zip(NUMBER.findall(s), NUMBER.findall(a)):
            digits = len(x.split(".")[1].split("e")[0])
            if abs(float(x) - float(y)) > 2 * 10.0**-digits * max(1.0, abs(float(x))):
                return False
    return True


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:batch_size=32 is larger")  # the article's fit, shown
def test_tutorial_runs_and_shows_its_real_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    keras.utils.clear_session()  # layer names count from dense, as in a fresh interpreter
    pairs = run(TUTORIAL.read_text())
    assert len(pairs) >= 8  # the tutorial shows its outputs
    for shown, actual in pairs:
        assert same(shown, actual), f"the tutorial shows:\n{shown}\nbut the code prints:\n{actual}"


def test_comparison_can_fail():
    assert same("loss 0.6931 in 1.2 s\n", "loss 0.6932 in 3.0 s\n")
    assert not same("loss 0.6931\n", "loss 0.6990\n")
    assert not same("For input [1, 0] output is 1\n", "For input [1, 0] output is 0\n")

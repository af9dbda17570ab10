"""Helpers for the command-line tests: files they make, and the one-line error they expect."""

from __future__ import annotations

import json

from nnscratch.cli import main


def write_json(path, obj):
    path.write_text(json.dumps(obj))
    return str(path)


def write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "\n".join(",".join(map(str, r)) for r in rows))
    return str(path)


def one_error_line(capsys, argv, code=2):
    assert main(argv) == code
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]

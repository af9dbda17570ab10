"""``python -m nnscratch ...``: the same as the ``nnscratch`` command."""

from nnscratch.cli.main import run

if __name__ == "__main__":
    run()

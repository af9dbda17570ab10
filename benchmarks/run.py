"""Run the nnscratch benchmark suite (W1-W6) against PyTorch and Keras 3; see README.md.

    python3 benchmarks/run.py [--quick | --smoke] [--only W1,W3] [--frameworks nnscratch,torch]

Each (workload, framework) run is a fresh process that warms up before timing, the repeats
alternate frameworks, and the table of medians, throughputs and ratios to PyTorch (with the
issue's targets marked PASS or FAIL) is printed and written to benchmarks/RESULTS.md.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the suite package beside this file

from suite.cli import main  # noqa: E402

if __name__ == "__main__":
    main()

"""The nnscratch benchmark suite (issue 8): eight workloads timed on nnscratch, PyTorch and Keras 3.

``benchmarks/run.py`` is the command; this package holds its parts:

- ``workloads/``: W1 to W8, each a ``Workload`` whose variants (one per framework) time
  themselves with warm-up inside one process;
- ``worker``: the subprocess entry that runs one variant and prints its result as JSON;
- ``harness``: spawns the workers, alternating frameworks across repeats, and pools results;
- ``machine``: the CPU, versions, BLAS and thread counts, and the float32 matmul rate;
- ``report``: the table of medians, throughputs and ratios, the targets, and RESULTS.md.
"""

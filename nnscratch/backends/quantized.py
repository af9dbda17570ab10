"""``torch.backends.quantized``: the kernels behind quantized tensors, which nnscratch lacks.

Scripts set ``engine`` before quantizing a model; the value is kept, and reading it raises
``NotImplementedError`` because nothing here would use it.
"""


def __getattr__(name: str):
    if name not in ("engine", "supported_engines"):
        raise AttributeError(f"module 'nnscratch.backends.quantized' has no attribute {name!r}")
    raise NotImplementedError(
        f"torch.backends.quantized.{name}: nnscratch has no quantized kernels; it computes in "
        "float32 and float64 on NumPy"
    )

"""``torch.backends.cudnn``: NVIDIA's library, absent here. Scripts set ``deterministic`` and
``benchmark`` for reproducible or faster GPU runs; the flags are kept and change nothing
(NumPy on the CPU is deterministic already)."""

enabled = True
deterministic = False
benchmark = False


def is_available() -> bool:
    return False


def version() -> None:
    return None

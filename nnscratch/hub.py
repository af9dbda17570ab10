"""``torch.hub``: not supported; nnscratch downloads no models and runs no code from outside.

>>> import nnscratch as ns
>>> ns.hub.load("pytorch/vision", "resnet18")
Traceback (most recent call last):
...
NotImplementedError: torch.hub.load: nnscratch does not download models or code ...
"""

from __future__ import annotations

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load",
           "load_state_dict_from_url", "set_dir"]  # fmt: skip

_NONE = (
    "{}: nnscratch does not download models or code (hub entry points are Python code run "
    "from the internet). Download the weights yourself as a .safetensors file, build the "
    "model in Python, and model.load_state_dict(ns.load(path))"
)


def load(repo_or_dir, model, *args, **kwargs):
    """Raises ``NotImplementedError``: no downloads."""
    raise NotImplementedError(_NONE.format("torch.hub.load"))


def list(github, *args, **kwargs):  # noqa: A001 (torch's name)
    """Raises ``NotImplementedError``: no downloads."""
    raise NotImplementedError(_NONE.format("torch.hub.list"))


def help(github, model, *args, **kwargs):  # noqa: A001 (torch's name)
    """Raises ``NotImplementedError``: no downloads."""
    raise NotImplementedError(_NONE.format("torch.hub.help"))


def load_state_dict_from_url(url, *args, **kwargs):
    """Raises ``NotImplementedError``: no downloads."""
    raise NotImplementedError(_NONE.format("torch.hub.load_state_dict_from_url"))


def download_url_to_file(url, dst, *args, **kwargs):
    """Raises ``NotImplementedError``: no downloads."""
    raise NotImplementedError(_NONE.format("torch.hub.download_url_to_file"))


def get_dir():
    """Raises ``NotImplementedError``: there is no hub cache."""
    raise NotImplementedError(_NONE.format("torch.hub.get_dir"))


def set_dir(d):
    """Raises ``NotImplementedError``: there is no hub cache."""
    raise NotImplementedError(_NONE.format("torch.hub.set_dir"))

"""``torch.hub``: not supported; nnscratch downloads no models and runs no code from outside.

>>> import nnscratch as ns
>>> ns.hub.load("pytorch/vision", "resnet18")
Traceback (most recent call last):
...
NotImplementedError: torch.hub.load: nnscratch does not download models or code ...
"""

from __future__ import annotations

from .errors import refusal

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load",
           "load_state_dict_from_url", "set_dir"]  # fmt: skip


def _no_download(name: str):
    message = (
        f"torch.hub.{name}: nnscratch does not download models or code (hub entry points are "
        "Python code run from the internet). Download the weights yourself as a .safetensors "
        "file, build the model in Python, and model.load_state_dict(ns.load(path))"
    )
    return refusal(name, NotImplementedError, message)


load = _no_download("load")
list = _no_download("list")  # noqa: A001 (torch's name)
help = _no_download("help")  # noqa: A001 (torch's name)
load_state_dict_from_url = _no_download("load_state_dict_from_url")
download_url_to_file = _no_download("download_url_to_file")
get_dir = _no_download("get_dir")  # there is no hub cache either
set_dir = _no_download("set_dir")

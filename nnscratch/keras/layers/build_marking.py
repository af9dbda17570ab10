"""Keras marks a layer built when its own ``build`` returns, even if that ``build`` never calls
``super().build``: ``Layer.__init_subclass__`` wraps each subclass's ``build`` once, with the
wrapper here, so a direct ``layer.build(shape)`` is not redone by the first call."""

from __future__ import annotations

import functools

__all__ = ["marking_built"]


def marking_built(build):
    """``build``, then the layer marked built for its shape(s) (several kept as a list) unless
    the build marked it (``super().build``); once per class, by ``Layer.__init_subclass__``."""

    @functools.wraps(build)
    def build_and_mark(self, input_shape=None, *args, **kwargs):
        build(self, input_shape, *args, **kwargs)
        if not self._built:
            self._mark_built(None if args else input_shape)
            if args:
                self._build_shape = [tuple(s) for s in (input_shape, *args) if s is not None]

    return build_and_mark

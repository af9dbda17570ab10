"""``Config``: named settings read and written as attributes or as dict items (Keras's)."""

from __future__ import annotations

import difflib
import json

__all__ = ["Config"]


class Config:
    """A dict of named values that also reads and writes them as attributes, can be frozen
    against changes, and converts to a dict or to JSON.

    >>> config = Config(learning_rate=0.1)
    >>> config.seed = 123
    >>> config["momentum"] = 0.9
    >>> config.learning_rate, config["seed"], sorted(config)
    (0.1, 123, ['learning_rate', 'momentum', 'seed'])
    >>> config.freeze()
    >>> config.seed = 7
    Traceback (most recent call last):
    ...
    ValueError: Cannot mutate attribute(s) because the config is frozen.
    """

    def __init__(self, **kwargs) -> None:
        # object.__setattr__: our own __setattr__ stores every other name in the dict
        object.__setattr__(self, "_config", kwargs)
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        """Whether changes are refused (see ``freeze``)."""
        return self._frozen

    def freeze(self) -> None:
        """Refuse every later change (setting, deleting, ``pop``, ``update``)."""
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        object.__setattr__(self, "_frozen", False)

    def _refuse_if_frozen(self) -> None:
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    def as_dict(self) -> dict:
        """A shallow copy of the values, as a plain dict."""
        return dict(self._config)

    def to_json(self) -> str:
        return json.dumps(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def get(self, keyname, value=None):
        return self._config.get(keyname, value)

    def pop(self, *args):
        self._refuse_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs) -> None:
        self._refuse_if_frozen()
        self._config.update(*args, **kwargs)

    # ---- attribute access: called only for names the class itself does not define ---------
    def __getattr__(self, name: str):
        config = object.__getattribute__(self, "_config")
        if name in config:
            return config[name]
        message = f"Unknown attribute: '{name}'."
        close = difflib.get_close_matches(name, list(config), n=1, cutoff=0.7)
        if close:
            message += f" Did you mean '{close[0]}'?"
        raise AttributeError(message)

    def __setattr__(self, name: str, value) -> None:
        if hasattr(type(self), name):  # a method or property: refused as on any object
            object.__setattr__(self, name, value)
            return
        self[name] = value

    # ---- dict access ----------------------------------------------------------------------
    def __setitem__(self, key, value) -> None:
        self._refuse_if_frozen()
        self._config[key] = value

    def __getitem__(self, key):
        return self._config[key]

    def __delitem__(self, key) -> None:
        self._refuse_if_frozen()
        del self._config[key]

    def __contains__(self, key) -> bool:
        return key in self._config

    def __iter__(self):
        return iter(sorted(self._config))  # Keras iterates over the sorted keys

    def __len__(self) -> int:
        return len(self._config)

    def __repr__(self) -> str:
        return f"<Config {self._config}>"

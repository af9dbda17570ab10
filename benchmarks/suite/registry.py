"""What a workload is: named variants (one per framework) that time themselves, plus sizes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# The frameworks a variant can need; --frameworks picks among them.
FRAMEWORKS = ("numpy", "nnscratch", "torch", "keras")
SIZES = ("full", "quick", "smoke")


class Unavailable(Exception):
    """A variant cannot run here (a layer not written yet, a framework missing)."""


@dataclass(frozen=True)
class Variant:
    """One way to run a workload: a table label, the framework it needs, and its runner.

    ``run(params)`` gets the size's parameters and returns ``{"times": [seconds, ...],
    "work": units per timed run, "extra": {...}}``; it does its own warm-up first.
    """

    label: str
    framework: str
    run: Callable[[dict], dict]


@dataclass(frozen=True)
class Workload:
    """A benchmark: its key (``W3``), title, throughput unit, reference variant and sizes.

    ``sizes[size]`` maps parameter names to values; ``repeats`` is how many fresh processes
    each variant gets (alternating with the other variants).
    """

    key: str
    title: str
    unit: str
    reference: str
    variants: tuple[Variant, ...]
    sizes: dict[str, dict] = field(default_factory=dict)

    def variant(self, label: str) -> Variant:
        """The variant called ``label``; KeyError naming the valid labels otherwise."""
        for variant in self.variants:
            if variant.label == label:
                return variant
        valid = ", ".join(v.label for v in self.variants)
        raise KeyError(f"{self.key} has no variant {label!r}; valid: {valid}")


def require(module, *names: str) -> None:
    """Raise ``Unavailable`` unless ``module`` has every attribute in ``names``."""
    missing = [name for name in names if not hasattr(module, name)]
    if missing:
        raise Unavailable(f"{module.__name__} has no {', '.join(missing)} yet")


def all_workloads() -> list[Workload]:
    """W1 to W8, in order (imported here so that a worker loads only the stdlib and NumPy)."""
    from .workloads import WORKLOADS

    return list(WORKLOADS)


def select(keys: list[str] | None) -> list[Workload]:
    """The workloads whose key starts with one of ``keys`` (``W6`` picks W6a, W6b, W6c)."""
    workloads = all_workloads()
    if not keys:
        return workloads
    wanted = [k.upper() for k in keys]
    chosen = [w for w in workloads if any(w.key.upper().startswith(k) for k in wanted)]
    if not chosen:
        valid = ", ".join(w.key for w in workloads)
        raise SystemExit(f"--only {','.join(keys)} matches no workload; valid: {valid}")
    return chosen


def find(key: str) -> Workload:
    """The workload with exactly this key."""
    for workload in all_workloads():
        if workload.key == key:
            return workload
    raise KeyError(f"no workload {key!r}")

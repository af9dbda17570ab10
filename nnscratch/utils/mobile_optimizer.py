"""``torch.utils.mobile_optimizer``: rewrites TorchScript models for phones; not here."""

from __future__ import annotations


def optimize_for_mobile(script_module, *args, **kwargs):
    """Raises ``NotImplementedError``: there is no TorchScript model to optimize."""
    raise NotImplementedError(
        "torch.utils.mobile_optimizer.optimize_for_mobile: nnscratch has no TorchScript or "
        "mobile runtime; it runs models eagerly on NumPy. Export the weights with "
        "ns.save(model.state_dict(), path) instead"
    )

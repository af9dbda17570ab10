"""``keras.ops`` Fourier transforms on ``(real, imag)`` pairs, as products with the discrete
Fourier matrix ``W[j, k] = exp(-2 pi i j k / n)`` split into its cosine and sine parts.

With ``C = cos(2 pi j k / n)`` and ``S = sin(2 pi j k / n)`` (both symmetric), the transform of
``a + ib`` along the last axis is ``(a C + b S) + i (b C - a S)``; the inverse swaps the sign
of ``S`` and divides by ``n``. Everything is a ``matmul``, so gradients come for free.

>>> from nnscratch.keras import ops
>>> re, im = ops.fft(([1.0, 2.0], [0.0, 1.0]))
>>> re.tolist(), im.tolist()
([3.0, -1.0], [1.0, -1.0])
"""

from __future__ import annotations

import numpy as np

import nnscratch as ns
import nnscratch.nn.functional as F
from nnscratch.autograd.tensor import Tensor

from .arguments import float_tensor, tensor_arg
from .symbolic import symbolic

__all__ = ["fft", "fft2", "ifft2", "rfft", "irfft", "stft", "istft"]


def _dft(rows: int, cols: int, n: int, dtype) -> tuple[Tensor, Tensor]:
    """``C`` and ``S`` of shape ``(rows, cols)`` for length ``n``; ``j k mod n`` keeps the
    angles small and exact."""
    turns = np.outer(np.arange(rows), np.arange(cols)) % n
    angle = 2 * np.pi * turns / n
    return ns.from_numpy(np.cos(angle).astype(dtype)), ns.from_numpy(np.sin(angle).astype(dtype))


def _pair(x, name: str) -> tuple[Tensor, Tensor]:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(
            f"keras.ops.{name}: expected x to be a (real, imag) pair of tensors, "
            f"received {type(x).__name__}"
        )
    real, imag = float_tensor(x[0], name, "real"), float_tensor(x[1], name, "imag")
    if tuple(real.shape) != tuple(imag.shape) or real.ndim < 1:
        raise ValueError(
            f"keras.ops.{name}: real and imag must have the same shape (rank >= 1), received "
            f"{tuple(real.shape)} and {tuple(imag.shape)}"
        )
    return real, imag.to(real.dtype)


def _transform(real: Tensor, imag: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
    """The (inverse) DFT of ``real + i imag`` along the last axis."""
    n = real.shape[-1]
    c, s = _dft(n, n, n, real.dtype)
    if inverse:
        return (real @ c - imag @ s) / n, (imag @ c + real @ s) / n
    return real @ c + imag @ s, imag @ c - real @ s


def _on_axis(pair, axis: int, inverse: bool) -> tuple[Tensor, Tensor]:
    real, imag = (t.transpose(axis, -1) for t in pair)
    real, imag = _transform(real, imag, inverse)
    return real.transpose(axis, -1), imag.transpose(axis, -1)


@symbolic
def fft(x) -> tuple[Tensor, Tensor]:
    """The discrete Fourier transform along the last axis of ``x = (real, imag)``."""
    return _transform(*_pair(x, "fft"), inverse=False)


@symbolic
def fft2(x) -> tuple[Tensor, Tensor]:
    """The 2-D discrete Fourier transform over the last two axes of ``x = (real, imag)``."""
    real, imag = _pair(x, "fft2")
    if real.ndim < 2:
        raise ValueError(f"keras.ops.fft2: expected rank >= 2, received {tuple(real.shape)}")
    return _on_axis(_transform(real, imag, False), -2, inverse=False)


@symbolic
def ifft2(x) -> tuple[Tensor, Tensor]:
    """The inverse of ``fft2``."""
    real, imag = _pair(x, "ifft2")
    if real.ndim < 2:
        raise ValueError(f"keras.ops.ifft2: expected rank >= 2, received {tuple(real.shape)}")
    return _on_axis(_transform(real, imag, True), -2, inverse=True)


def _fit_length(x: Tensor, n: int) -> Tensor:
    """``x`` cropped or zero-padded to ``n`` along the last axis."""
    return F.pad(x, (0, n - x.shape[-1])) if n != x.shape[-1] else x


@symbolic
def rfft(x, fft_length=None) -> tuple[Tensor, Tensor]:
    """The DFT of a real signal along the last axis, keeping the ``n // 2 + 1`` non-negative
    frequencies (the rest mirror them); the signal is cropped or zero-padded to
    ``fft_length``."""
    x = float_tensor(x, "rfft")
    n = x.shape[-1] if fft_length is None else int(fft_length)
    c, s = _dft(n, n // 2 + 1, n, x.dtype)
    x = _fit_length(x, n)
    return x @ c, -(x @ s)


@symbolic
def irfft(x, fft_length=None) -> Tensor:
    """The real signal of length ``fft_length`` (default ``2 (bins - 1)``) whose ``rfft`` is
    ``x = (real, imag)``: the missing bins are the conjugate mirror of the given ones, so each
    bin but the first (and the middle one of an even length) counts twice; their imaginary
    parts are ignored, as torch does."""
    real, imag = _pair(x, "irfft")
    n = 2 * (real.shape[-1] - 1) if fft_length is None else int(fft_length)
    bins = n // 2 + 1
    real, imag = _fit_length(real, bins), _fit_length(imag, bins)
    c, s = _dft(bins, n, n, real.dtype)
    weight = np.full((bins, 1), 2.0)
    weight[0] = 1.0
    if n % 2 == 0:
        weight[-1] = 1.0
    weight = ns.from_numpy((weight / n).astype(real.dtype))
    return real @ (c * weight) - imag @ (s * weight)


def _window(window, sequence_length: int, fft_length: int, dtype, name: str) -> Tensor:
    """The analysis window (periodic Hann or Hamming, given values, or ones), zero-padded on
    both sides to ``fft_length``."""
    phase = 2 * np.pi * np.arange(sequence_length) / sequence_length
    if window is None:
        w = ns.ones(sequence_length, dtype=dtype)
    elif isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f"keras.ops.{name}: window must be 'hann' or 'hamming', received {window!r}"
            )
        a = 0.5 if window == "hann" else 0.54
        w = ns.from_numpy((a - (1 - a) * np.cos(phase)).astype(dtype))
    else:
        w = tensor_arg(window, name, "window").to(dtype)
    if tuple(w.shape) != (sequence_length,):
        raise ValueError(
            f"keras.ops.{name}: window must have shape ({sequence_length},), "
            f"received {tuple(w.shape)}"
        )
    left = (fft_length - sequence_length) // 2
    return F.pad(w, (left, fft_length - sequence_length - left))


@symbolic
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """The short-time Fourier transform along the last axis: windowed frames every
    ``sequence_stride`` samples, each ``rfft``-ed to ``fft_length // 2 + 1`` bins; returns
    ``(real, imag)`` of shape ``(..., frames, bins)``. ``center`` reflects ``fft_length // 2``
    samples onto each end first, so frame k is centred on sample ``k * sequence_stride``."""
    x = float_tensor(x, "stft")
    if fft_length < sequence_length:
        raise ValueError(
            f"keras.ops.stft: fft_length ({fft_length}) must be at least sequence_length "
            f"({sequence_length})"
        )
    w = _window(window, sequence_length, fft_length, x.dtype, "stft")
    if center:
        batch, half = x.shape[:-1], fft_length // 2
        flat = F.pad(x.reshape(-1, 1, x.shape[-1]), (half, half), mode="reflect")
        x = flat.reshape(*batch, flat.shape[-1])
    return rfft(_frames(x, fft_length, sequence_stride) * w)


def _overlap_add(frames: Tensor, hop: int) -> Tensor:
    """Frames ``(..., F, n)`` summed into one signal, frame k starting at ``k * hop``: a
    transposed convolution whose kernel is the identity on the n frame positions."""
    *batch, count, n = frames.shape
    spread = ns.from_numpy(np.eye(n, dtype=frames.dtype).reshape(n, 1, n))
    columns = frames.reshape(-1, count, n).transpose(1, 2)
    signal = F.conv_transpose1d(columns, spread, stride=hop)
    return signal.reshape(*batch, signal.shape[-1])


def _steady_envelope(w: Tensor, hop: int) -> Tensor:
    """Sum of ``w**2`` over every frame that would overlap each position, were the signal
    endless (TensorFlow's inverse-STFT window rule): periodic with period ``hop``."""
    n = w.shape[0]
    overlaps = -(-n // hop)
    squares = F.pad(w * w, (0, overlaps * hop - n)).reshape(overlaps, hop).sum(dim=0)
    return squares.repeat(overlaps)[:n]


@symbolic
def istft(
    x, sequence_length, sequence_stride, fft_length, length=None, window="hann", center=True
) -> Tensor:
    """The inverse of ``stft``: each frame ``irfft``-ed, windowed and overlap-added, divided by
    the window's squared overlap. As Keras's torch backend: the exact envelope when
    ``sequence_length == fft_length`` with ``center`` and a window (torch's istft), else the
    steady-state one; ``center`` trims ``fft_length // 2`` from each end (``length`` keeps
    that many samples)."""
    frames = irfft(x, fft_length)
    w = (
        None
        if window is None
        else _window(window, sequence_length, fft_length, frames.dtype, "istft")
    )
    if w is not None and sequence_length == fft_length and center:
        ones = ns.ones(*frames.shape[-2:], dtype=frames.dtype)
        envelope = _overlap_add(ones * (w * w), sequence_stride)
        envelope = ns.where(envelope > 1e-11, envelope, ns.ones_like(envelope))  # 0 at trimmed ends
        signal = _overlap_add(frames * w, sequence_stride) / envelope
    else:
        if w is not None:
            frames = frames * (w / _steady_envelope(w, sequence_stride))
        signal = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    end = signal.shape[-1] - (fft_length // 2 if center else 0)
    if length is not None:
        end = start + int(length)
        if end > signal.shape[-1]:
            signal = F.pad(signal, (0, end - signal.shape[-1]))
    return signal[..., start:end]


def _frames(x: Tensor, n: int, hop: int) -> Tensor:
    starts = range(0, x.shape[-1] - n + 1, hop)
    return ns.stack([x[..., s : s + n] for s in starts], dim=-2)

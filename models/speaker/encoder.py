"""Speaker embeddings: Resemblyzer's GE2E voice encoder run by onnxruntime, preprocessing in numpy.

The network and its mel filterbank are in ``voice_encoder.onnx`` (made once by ``export.py``
from the weights in the Resemblyzer wheel; provenance and licence in MODEL_CARD.md). What
Resemblyzer does around the network is reproduced here exactly, so embeddings match its own
(the parity test checks cosine ≥ 0.999): volume raised to -30 dBFS, a 25 ms / 10 ms power
spectrogram (periodic Hann window, centred frames padded with zeros), partial windows of 160
frames (1.6 s) every 77 frames, each embedded, averaged and L2-normalised.
"""

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL = Path(__file__).resolve().parent / "voice_encoder.onnx"
SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
PARTIAL_FRAMES = 160  # 1.6 s of audio per partial embedding
PARTIAL_RATE = 1.3  # partials per second: Resemblyzer's default (a step of 77 frames)
MIN_COVERAGE = 0.75  # a last partial less covered than this by audio is dropped
TARGET_DBFS = -30.0
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
_lock = threading.Lock()


class SpeakerModelUnavailable(RuntimeError):
    """The voice encoder's ONNX file is missing."""


@lru_cache(maxsize=1)
def _session() -> Any:
    import onnxruntime

    if not MODEL.exists():
        raise SpeakerModelUnavailable(
            f"{MODEL} is missing; it ships with zhijian (models/speaker/export.py re-creates it)"
        )
    options = onnxruntime.SessionOptions()
    # Workers share their cores with Whisper; one thread each keeps the call's work predictable.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(MODEL), options, providers=["CPUExecutionProvider"])


def load() -> Any:
    """The ONNX session, created once per process."""
    with _lock:
        return _session()


def normalise_volume(samples: np.ndarray) -> np.ndarray:
    """Raises quiet speech to -30 dBFS (never lowers it), as Resemblyzer does."""
    rms = float(np.sqrt(np.mean(np.square(samples * 32767.0, dtype=np.float64))))
    if rms <= 0:
        return samples
    change = TARGET_DBFS - 20 * np.log10(rms / 32767.0)
    return samples if change < 0 else samples * np.float32(10 ** (change / 20))


def power_spectrogram(samples: np.ndarray) -> np.ndarray:
    """(frames, 201) |STFT|² with centred, zero-padded 25 ms frames every 10 ms."""
    padded = np.pad(samples.astype(np.float32), N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    spectrum = np.fft.rfft(frames * _WINDOW, axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def partial_slices(n_samples: int) -> list[slice]:
    """Where the partial windows lie, in spectrogram frames (Resemblyzer's rule)."""
    n_frames = int(np.ceil((n_samples + 1) / HOP))
    step = int(np.round((SAMPLE_RATE / PARTIAL_RATE) / HOP))
    starts = range(0, max(1, n_frames - PARTIAL_FRAMES + step + 1), step)
    slices = [slice(i, i + PARTIAL_FRAMES) for i in starts]
    last = slices[-1]
    coverage = (n_samples - last.start * HOP) / (PARTIAL_FRAMES * HOP)
    if coverage < MIN_COVERAGE and len(slices) > 1:
        slices.pop()
    return slices


def embed(samples: np.ndarray) -> np.ndarray:
    """The L2-normalised 256-value voice embedding of 16 kHz mono speech."""
    samples = normalise_volume(samples.astype(np.float32))
    slices = partial_slices(len(samples))
    needed = slices[-1].stop * HOP
    if needed >= len(samples):
        samples = np.pad(samples, (0, needed - len(samples)))
    power = power_spectrogram(samples)
    batch = np.stack([power[s] for s in slices])
    partials = load().run(None, {"power": batch})[0]
    mean = partials.mean(axis=0)
    return (mean / np.linalg.norm(mean)).astype(np.float32)

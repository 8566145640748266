"""Speaker embeddings: Resemblyzer's GE2E voice encoder, run in numpy.

The weights come from the Resemblyzer wheel (``weights.py``; provenance and licence in
MODEL_CARD.md). The network is small (a 3-layer LSTM of 256 units over 160 frames of 40 mels,
then a linear layer) and is run here as Resemblyzer runs it in torch, and so is what it does
around the network, so embeddings match its own (the parity test checks cosine ≥ 0.999):
volume raised to -30 dBFS, a 25 ms / 10 ms power spectrogram (periodic Hann window, centred
frames padded with zeros), librosa's 40-channel Slaney mel filterbank, partial windows of 160
frames (1.6 s) every 77 frames, each embedded, averaged and L2-normalised.
"""

import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from models.speaker import weights

SAMPLE_RATE = 16000
N_FFT = 400  # 25 ms
HOP = 160  # 10 ms
N_MELS = 40
PARTIAL_FRAMES = 160  # 1.6 s of audio per partial embedding
PARTIAL_RATE = 1.3  # partials per second: Resemblyzer's default (a step of 77 frames)
MIN_COVERAGE = 0.75  # a last partial less covered than this by audio is dropped
TARGET_DBFS = -30.0
LAYERS = 3
UNITS = 256
_WINDOW = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
# torch orders an LSTM's gates input, forget, cell, output; here the three sigmoid gates come
# first and the cell's tanh last, so each step applies each function once.
_GATES = np.r_[0 : 2 * UNITS, 3 * UNITS : 4 * UNITS, 2 * UNITS : 3 * UNITS]
_lock = threading.Lock()


@dataclass(frozen=True)
class Network:
    """The encoder's arrays, laid out for the numpy steps below."""

    mel: np.ndarray  # (201, 40)
    layers: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # input→gates, state→gates, bias
    linear: tuple[np.ndarray, np.ndarray]  # (256, 256) transposed, bias


@lru_cache(maxsize=1)
def _network() -> Network:
    found = weights.read()
    layers = []
    for n in range(LAYERS):
        bias = found[f"lstm.bias_ih_l{n}"] + found[f"lstm.bias_hh_l{n}"]
        layers.append(
            (
                np.ascontiguousarray(found[f"lstm.weight_ih_l{n}"][_GATES].T),
                np.ascontiguousarray(found[f"lstm.weight_hh_l{n}"][_GATES].T),
                bias[_GATES],
            )
        )
    linear = (np.ascontiguousarray(found["linear.weight"].T), found["linear.bias"])
    return Network(mel_filterbank().T.copy(), layers, linear)


def load() -> Network:
    """The network, read once per process."""
    with _lock:
        return _network()


def mel_filterbank() -> np.ndarray:
    """(40, 201): librosa.filters.mel(sr=16000, n_fft=400, n_mels=40), Slaney's mel scale
    (linear to 1 kHz, logarithmic above) with each filter's area normalised, as Resemblyzer's."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, log_step = min_log_hz / f_sp, np.log(6.4) / 27.0

    def to_mel(hz: float) -> float:
        return hz / f_sp if hz < min_log_hz else min_log_mel + np.log(hz / min_log_hz) / log_step

    mels = np.linspace(to_mel(0.0), to_mel(SAMPLE_RATE / 2), N_MELS + 2)
    edges = np.where(
        mels >= min_log_mel, min_log_hz * np.exp(log_step * (mels - min_log_mel)), f_sp * mels
    )
    bins = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    widths = np.diff(edges)
    ramps = edges[:, None] - bins[None, :]
    rising, falling = -ramps[:-2] / widths[:-1, None], ramps[2:] / widths[1:, None]
    filters = np.maximum(0, np.minimum(rising, falling)) * (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return filters.astype(np.float32)


def encode(power: np.ndarray) -> np.ndarray:
    """(batch, 160, 201) power frames → (batch, 256) L2-normalised partial embeddings."""
    network = load()
    x = power @ network.mel
    for to_gates, state_to_gates, bias in network.layers:
        inputs = x @ to_gates + bias  # every step's input at once
        state = np.zeros((len(power), UNITS), np.float32)
        cell = np.zeros_like(state)
        x = np.empty((len(power), PARTIAL_FRAMES, UNITS), np.float32)
        for t in range(PARTIAL_FRAMES):
            gates = inputs[:, t] + state @ state_to_gates
            sigmoid = gates[:, : 3 * UNITS]
            np.tanh(sigmoid * 0.5, out=sigmoid)  # σ(x) = (1 + tanh(x/2)) / 2
            sigmoid *= 0.5
            sigmoid += 0.5
            cell *= sigmoid[:, UNITS : 2 * UNITS]
            cell += sigmoid[:, :UNITS] * np.tanh(gates[:, 3 * UNITS :])
            state = sigmoid[:, 2 * UNITS :] * np.tanh(cell)
            x[:, t] = state
    weight, bias = network.linear
    embedded = np.maximum(0, state @ weight + bias)  # the last layer's last state
    return embedded / np.linalg.norm(embedded, axis=1, keepdims=True)


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
    partials = encode(batch)
    mean = partials.mean(axis=0)
    return (mean / np.linalg.norm(mean)).astype(np.float32)

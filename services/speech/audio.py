"""Decoding recordings of any common format into 16 kHz float32 channels (PyAV)."""

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from services.i18n import N_

SAMPLE_RATE = 16000
# A recording whose decodable audio covers less than this share of its declared length is
# truncated (an upload cut short, a header that lies): scoring it would invent missing scripts.
MIN_DECLARED_SHARE = 0.9
SILENCE_PEAK = 10 ** (-60 / 20)  # -60 dBFS


@dataclass
class DecodedAudio:
    """A recording as one float32 array per channel, at 16 kHz."""

    channels: np.ndarray  # shape (n_channels, n_samples)
    source_sample_rate: int
    source_channels: int

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return self.channels.shape[1] / SAMPLE_RATE


def decode(path: Path, *, max_duration_s: float) -> DecodedAudio:
    """Decodes ``path``; raises BadRecording with a reason a person understands."""
    from services.errors import BadRecording

    size = path.stat().st_size
    if size == 0:
        raise BadRecording(N_("the recording is empty (0 bytes)"))
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise BadRecording(
            N_("the file is not an audio recording zhijian can decode ({exc})", exc=str(exc))
        ) from None
    with container:
        if not container.streams.audio:
            raise BadRecording(N_("the file has no audio stream"))
        stream = container.streams.audio[0]
        source_rate = stream.codec_context.sample_rate or 0
        source_channels = stream.codec_context.channels or 0
        declared_s = _wav_declared_duration(path) or _declared_duration(container, stream)
        chunks = _decode_stream(container, stream, max_duration_s)
    if not chunks:
        raise BadRecording(N_("the recording holds no decodable audio"))
    samples = np.concatenate(chunks, axis=1)
    audio = DecodedAudio(samples, source_rate, source_channels)
    if declared_s and audio.duration_s < declared_s * MIN_DECLARED_SHARE:
        raise BadRecording(
            N_(
                "the recording is truncated: its header declares {declared_s:.1f} s of audio "
                "but the file holds only {duration_s:.1f} s",
                declared_s=declared_s,
                duration_s=audio.duration_s,
            )
        )
    if float(np.max(np.abs(samples))) < SILENCE_PEAK:
        raise BadRecording(
            N_(
                "the recording is silent ({duration_s:.1f} s without sound)",
                duration_s=audio.duration_s,
            )
        )
    return audio


def _wav_declared_duration(path: Path) -> float:
    """Length a WAV header claims; FFmpeg silently clamps it to the file size, we do not."""
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return 0.0
        byte_rate = 0
        while chunk := f.read(8):
            if len(chunk) < 8:
                return 0.0
            chunk_id, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
            if chunk_id == b"fmt ":
                fmt = f.read(size)
                byte_rate = struct.unpack("<I", fmt[8:12])[0] if len(fmt) >= 12 else 0
                continue
            if chunk_id == b"data":
                # 0 and 0xFFFFFFFF are what streaming writers put there before they know the size.
                if not byte_rate or size in (0, 0xFFFFFFFF):
                    return 0.0
                return size / byte_rate
            f.seek(size + (size & 1), 1)
    return 0.0


def _declared_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


def _decode_stream(
    container: av.container.InputContainer, stream: av.AudioStream, max_duration_s: float
) -> list[np.ndarray]:
    from services.errors import BadRecording

    resampler = av.AudioResampler(format="fltp", rate=SAMPLE_RATE)
    limit = int(max_duration_s * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        for frame in container.decode(stream):
            # Pipeline-style: a damaged frame in the middle should not lose the rest of the call.
            frame.pts = None
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
                total += out.samples
            if total > limit:
                raise BadRecording(
                    N_(
                        "the recording is longer than the limit of {minutes:.0f} minutes",
                        minutes=max_duration_s / 60,
                    )
                )
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    except av.error.FFmpegError as exc:
        if not chunks:
            raise BadRecording(N_("the audio cannot be decoded ({exc})", exc=str(exc))) from None
    return chunks

"""One-time export of Resemblyzer's GE2E voice encoder to ONNX, with reference embeddings.

Run with torch, resemblyzer and librosa installed (not zhijian's runtime dependencies; a
scratch environment is enough, the CPU build of torch will do):

    python models/speaker/export.py

It writes ``voice_encoder.onnx`` beside this file and ``tests/speech/data/voice_refs.npz``
(a few clips' embeddings computed by Resemblyzer itself with torch), which the parity test
compares the ONNX runtime path against. The mel filterbank (librosa's, with Resemblyzer's
parameters) is folded into the graph as its first matrix product, so the runtime needs only a
numpy power spectrogram and onnxruntime.
"""

import hashlib
import sys
from importlib.metadata import version
from pathlib import Path

import librosa
import numpy as np
import resemblyzer
import torch
from resemblyzer import VoiceEncoder, hparams
from resemblyzer.audio import normalize_volume

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CLIPS = ROOT.parent / "shared" / "data"
REFERENCE_CLIPS = (
    "zh-clips/agent_greeting_01.wav",
    "zh-clips/customer_complaint.wav",
    "zh-real/fleurs_zh_001.wav",
    "zh-real/fleurs_zh_007.wav",
)
N_FFT = hparams.sampling_rate * hparams.mel_window_length // 1000  # 400
HOP = hparams.sampling_rate * hparams.mel_window_step // 1000  # 160


class MelVoiceEncoder(torch.nn.Module):
    """Power spectrogram frames → mel (librosa's filterbank) → Resemblyzer's encoder."""

    def __init__(self, encoder: VoiceEncoder) -> None:
        super().__init__()
        mel = librosa.filters.mel(
            sr=hparams.sampling_rate, n_fft=N_FFT, n_mels=hparams.mel_n_channels
        )
        self.mel = torch.nn.Parameter(torch.from_numpy(mel.T.astype(np.float32)), False)
        self.encoder = encoder

    def forward(self, power: torch.Tensor) -> torch.Tensor:
        """(batch, 160, 201) power frames → (batch, 256) L2-normalised partial embeddings."""
        return self.encoder(power @ self.mel)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    """Exports the model and the reference embeddings; prints what the model card records."""
    encoder = VoiceEncoder("cpu", verbose=False).eval()
    model = MelVoiceEncoder(encoder).eval()
    out = HERE / "voice_encoder.onnx"
    example = torch.zeros(2, hparams.partials_n_frames, N_FFT // 2 + 1)
    torch.onnx.export(
        model,
        (example,),
        str(out),
        input_names=["power"],
        output_names=["embedding"],
        dynamic_axes={"power": {0: "batch"}, "embedding": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    names, embeddings = [], []
    for clip in REFERENCE_CLIPS:
        wav, _ = librosa.load(str(CLIPS / clip), sr=hparams.sampling_rate)
        # Resemblyzer's own volume normalisation; its webrtcvad silence trimming is left out
        # because zhijian embeds speech regions its own voice activity detector found.
        wav = normalize_volume(wav, hparams.audio_norm_target_dBFS, increase_only=True)
        names.append(clip)
        embeddings.append(encoder.embed_utterance(wav.astype(np.float32)))
    refs = ROOT / "tests" / "speech" / "data" / "voice_refs.npz"
    np.savez_compressed(refs, clips=np.array(names), embeddings=np.array(embeddings))
    weights = Path(resemblyzer.__file__).parent / "pretrained.pt"
    print(f"resemblyzer {version('resemblyzer')}, torch {torch.__version__}")
    print(f"pretrained.pt sha256 {sha256(weights)}")
    print(f"{out.name} sha256 {sha256(out)}, {out.stat().st_size} bytes")
    print(f"reference embeddings of {len(names)} clips in {refs}", file=sys.stderr)


if __name__ == "__main__":
    main()

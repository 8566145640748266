"""One-time computation of the parity test's reference embeddings by Resemblyzer itself.

Run with torch, resemblyzer and librosa installed (not zhijian's runtime dependencies; a
scratch environment is enough, the CPU build of torch will do):

    python models/speaker/export.py

It writes ``tests/speech/data/voice_refs.npz``: a few clips' embeddings computed by
Resemblyzer with torch, which ``tests/speech/test_voice_encoder.py`` compares zhijian's numpy
path (``encoder.py``, the same weights read from the same wheel by ``weights.py``) against.
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


def main() -> None:
    """Writes the reference embeddings; prints the versions and the weights' SHA-256."""
    encoder = VoiceEncoder("cpu", verbose=False).eval()
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
    print(f"pretrained.pt sha256 {hashlib.sha256(weights.read_bytes()).hexdigest()}")
    print(f"reference embeddings of {len(names)} clips in {refs}", file=sys.stderr)


if __name__ == "__main__":
    main()

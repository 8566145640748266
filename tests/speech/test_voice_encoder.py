"""The voice encoder run by onnxruntime gives Resemblyzer's own embeddings (computed with torch
at export, stored in tests/speech/data/voice_refs.npz), and tells voices apart."""

from pathlib import Path

import numpy as np
import pytest

from models.speaker import encoder
from services.speech.audio import decode
from tests.synth import SHARED_DATA

REFS = Path(__file__).resolve().parent / "data" / "voice_refs.npz"


def _clip(name: str) -> np.ndarray:
    return decode(SHARED_DATA / name, max_duration_s=600).channels[0]


@pytest.mark.parametrize("index", range(4))
def test_onnx_embedding_matches_resemblyzer_reference(index: int):
    refs = np.load(REFS)
    name, reference = str(refs["clips"][index]), refs["embeddings"][index]

    got = encoder.embed(_clip(name))

    assert got.shape == (256,)
    assert np.linalg.norm(got) == pytest.approx(1.0, abs=1e-5)
    assert float(got @ reference) >= 0.999


def test_same_voice_is_closer_than_another_voice():
    agent_a = encoder.embed(_clip("zh-clips/agent_greeting_01.wav"))
    agent_b = encoder.embed(_clip("zh-clips/agent_refund.wav"))
    customer = encoder.embed(_clip("zh-real/fleurs_zh_003.wav"))

    assert float(agent_a @ agent_b) > float(agent_a @ customer) + 0.1


def test_partials_follow_resemblyzer_windows():
    # 1.6 s windows every 77 frames; a last window under 75 % covered by audio is dropped.
    assert [(s.start, s.stop) for s in encoder.partial_slices(16000)] == [(0, 160)]
    assert [s.start for s in encoder.partial_slices(5 * 16000)] == [0, 77, 154, 231, 308]

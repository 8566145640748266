"""The voice encoder run in numpy gives Resemblyzer's own embeddings (computed with torch by
models/speaker/export.py, stored in tests/speech/data/voice_refs.npz), and tells voices apart;
its weights are read only from the wheel they come from, checked."""

import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from models.speaker import encoder, weights
from services.speech.audio import decode
from tests.synth import SHARED_DATA

REFS = Path(__file__).resolve().parent / "data" / "voice_refs.npz"


def _clip(name: str) -> np.ndarray:
    return decode(SHARED_DATA / name, max_duration_s=600).channels[0]


@pytest.mark.parametrize("index", range(4))
def test_embedding_matches_resemblyzer_reference(index: int):
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


def test_weights_missing_or_not_the_expected_file_are_refused_with_the_way_out(tmp_path):
    way_out = r"python -m models\.speaker\.weights"
    with pytest.raises(weights.SpeakerModelUnavailable, match=way_out):
        weights.read(tmp_path)
    with zipfile.ZipFile(tmp_path / weights.WHEEL, "w") as wheel:
        wheel.writestr(weights.MEMBER, b"not the weights")
    with pytest.raises(weights.SpeakerModelUnavailable, match="not the file expected"):
        weights.read(tmp_path)


class _Hostile:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_a_checkpoint_holding_anything_but_tensors_is_not_unpickled():
    checkpoint = {"model_state": _Hostile()}
    for pickles in ((1, 1001, {}, checkpoint), (_Hostile(),)):  # in the checkpoint, or before it
        data = b"".join(pickle.dumps(x, protocol=2) for x in pickles)
        with pytest.raises(pickle.UnpicklingError, match=r"unexpected posix\.system"):
            weights._legacy_torch(data)

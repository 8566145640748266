"""Personal data read out on real calls is masked in the stored transcript and bleeped in the
copy of the audio that agents hear; ordinary numbers stay."""

import io
import re
import wave
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest

from tests.helpers import upload
from tests.synth import Line, en_lines, mix, write_wav, zh_lines

pytestmark = pytest.mark.slow

ZH_PII = [
    ("agent", "agent_verify_id", 0.5),
    ("customer", "customer_mobile", 5.5),
    ("customer", "customer_idcard", 10.0),
    ("customer", "customer_bankcard", 16.0),
    ("customer", "customer_address", 22.0),
    ("agent", "agent_refund", 26.5),
    ("agent", "agent_balance", 31.0),
]
EN_PII = [
    ("agent", "Can I have a phone number to reach you?", 0.5),
    ("customer", "Sure, my phone number is 4 1 5, 5 5 5, 0 1 3 4.", 4.0),
    ("customer", "And my card number is 4 1 1 1, 1 1 1 1, 1 1 1 1, 1 1 1 1.", 11.0),
    ("agent", "Thank you, the refund takes three to five working days.", 20.0),
]
LONG_NUMBER = re.compile(r"\d{7,}|[零〇一二三四五六七八九幺]{7,}")


def _long_number(text: str) -> bool:
    """Whether a number of 7+ digits is left, however ASR grouped it (415-555-0134)."""
    return bool(LONG_NUMBER.search(re.sub(r"(?<=\d)[ ,-](?=\d)", "", text)))


def _read(client, call_id: int) -> np.ndarray:
    """The audio ``client`` hears of the call, through its playback link."""
    url = urlsplit(client.get(f"/api/v1/calls/{call_id}/audio").json()["url"])
    with wave.open(io.BytesIO(client.get(f"{url.path}?{url.query}").content)) as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32767
        return frames.reshape(-1, w.getnchannels()).T, w.getframerate()


def _scored(client, wait_for, path: Path, metadata: dict) -> dict:
    call_id = upload(client, path, metadata).json()["id"]
    assert wait_for(call_id).status == "scored"
    return client.get(f"/api/v1/calls/{call_id}").json()


@pytest.mark.parametrize(
    ("language", "script", "expected"),
    [
        ("zh", ZH_PII, {"PHONE", "ID_CARD", "BANK_CARD", "ADDRESS"}),
        ("en", EN_PII, {"PHONE", "BANK_CARD"}),
    ],
)
def test_planted_personal_data_is_masked_and_bleeped(
    client, client_as, worker, wait_for, tmp_path, language, script, expected
):
    build = zh_lines if language == "zh" else en_lines
    lines: list[Line] = build(script)
    call = _scored(
        client,
        wait_for,
        write_wav(tmp_path / "pii.wav", mix(lines)),
        {"language": language, "agent_id": f"PII-{language}"},
    )

    masks = {r["type"] for t in call["turns"] for r in t["redactions"]}
    assert masks == expected, [t["text"] for t in call["turns"]]
    text = " ".join(t["text"] for t in call["turns"])
    assert not _long_number(text), text
    ordinary = ("三到五个工作日", "58") if language == "zh" else ("working days",)
    assert all(o in text for o in ordinary), text
    assert any(h["category"] == "pii_exposure" and "[" in h["text"] for h in call["hits"])

    unredacted = client.get(f"/api/v1/calls/{call['id']}", params={"unredacted": "true"}).json()
    assert _long_number(" ".join(t["text"] for t in unredacted["turns"]))
    agent = client_as("agent", agent_id=f"PII-{language}")
    assert (
        agent.get(f"/api/v1/calls/{call['id']}", params={"unredacted": "true"}).status_code == 403
    )

    heard, rate = _read(agent, call["id"])
    original, _ = _read(client, call["id"])
    spans = [(r["start"], r["end"], t["channel"]) for t in call["turns"] for r in t["redactions"]]
    for start, end, channel in spans:
        a, b = int(start * rate), int(end * rate)
        assert np.abs(heard[channel, a:b]).max() == pytest.approx(0.1, abs=0.02)
        assert not np.allclose(heard[channel, a:b], original[channel, a:b], atol=0.01)
    first = min(s for s, _, _ in spans)
    assert np.allclose(
        heard[:, : int((first - 0.2) * rate)], original[:, : int((first - 0.2) * rate)], atol=1e-3
    )

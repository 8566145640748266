"""Regenerates the example calls in examples/ (English, espeak-ng, 8 kHz u-law telephone audio)."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.synth import Line, espeak, mix, write_wav  # noqa: E402

CALLS = {
    "balance-enquiry": (
        {
            "external_id": "EX-1001",
            "agent_id": "A1001",
            "team": "retail",
            "queue": "accounts",
            "direction": "inbound",
            "started_at": "2026-11-02T09:15:00+08:00",
            "language": "en",
        },
        [
            (
                "agent",
                "Thank you for calling North Star Bank, my name is Anna, how can I help you?",
                0.5,
            ),
            (
                "customer",
                "Hi, I would like to check the balance of my savings account please.",
                6.0,
            ),
            ("agent", "Of course. Please hold for a moment while I look that up for you.", 11.0),
            ("agent", "Thank you for waiting. I can see a deposit from yesterday.", 26.0),
            ("customer", "Great, thank you very much for your help. Goodbye.", 31.0),
        ],
    ),
    "complaint": (
        {
            "external_id": "EX-1002",
            "agent_id": "A1002",
            "team": "retail",
            "queue": "cards",
            "direction": "inbound",
            "started_at": "2026-11-02T10:40:00+08:00",
            "language": "en",
        },
        [
            ("agent", "Good morning, this is Mark speaking, how may I help you?", 0.5),
            ("customer", "I was charged twice for the same purchase and nobody has fixed it.", 4.5),
            ("agent", "That is not my problem, you have to call the store.", 8.0),
            ("customer", "I want to make a formal complaint about this service.", 10.5),
        ],
    ),
}


def main() -> None:
    """Writes examples/<name>.wav and examples/<name>.json."""
    out = ROOT / "examples"
    out.mkdir(exist_ok=True)
    for name, (metadata, script) in CALLS.items():
        lines = [Line(role, text, at, espeak(text, role)) for role, text, at in script]
        write_wav(out / f"{name}.wav", mix(lines), telephone=True)
        (out / f"{name}.json").write_text(json.dumps(metadata, indent=2) + "\n")
        print(f"examples/{name}.wav")


if __name__ == "__main__":
    main()

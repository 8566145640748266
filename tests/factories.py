"""Test data, built through zhijian's own services where they exist: users with API tokens,
calls (bare, with turns, transcribed and scored), machine scores, and reviews submitted through
the API. Each factory writes into the session it is given; the test's transaction decides
whether it lasts (see conftest)."""

import itertools
from types import SimpleNamespace
from typing import Any

from sqlalchemy.orm import Session

from services import storage
from services.calls.tables import Call
from services.config import get_settings
from services.people import service as people_service
from services.people.tables import User
from services.scoring import service as scoring_service
from services.scoring.tables import CallScore
from services.speech import service as speech_service
from services.speech.transcribe import Activity, TurnDraft, Word

PASSWORD = "correct horse battery"
# Names unique within a test run: committed tests share one database, rolled-back ones do not
# mind, and a counter (unlike random tags) names the same things the same way every run.
_numbers = itertools.count(1)

CLEAN = [
    ("agent", 0.0, 8.0, "您好，很高兴为您服务，我是客服工号一零二四，请问有什么可以帮您"),
    ("customer", 8.5, 11.0, "我想查一下我的宽带账单"),
    ("agent", 11.5, 15.0, "好的，我帮您查询一下"),
    ("customer", 15.5, 17.5, "好的谢谢"),
    ("agent", 18.0, 23.0, "感谢您的来电，祝您生活愉快，再见"),
]
FORBIDDEN = [*CLEAN[:2], ("agent", 11.5, 15.0, "这个不归我管，你去找别人"), *CLEAN[3:]]
ABUSIVE = [*CLEAN[:2], ("agent", 11.5, 15.0, "你有病吧，说了多少遍"), *CLEAN[3:]]
CHANNELS = {"agent": 0, "customer": 1}
Line = tuple[str, float, float, str]


def unique(prefix: str) -> str:
    """``prefix`` with a number no other factory call of this run has used."""
    return f"{prefix}-{next(_numbers)}"


def user(
    db_session: Session, role: str, *, password: str | None = PASSWORD, **fields: Any
) -> tuple[User, str]:
    """A user with ``role`` (and username, team, agent_id, hired_on …); returns the user and
    an API token."""
    created = people_service.create_user(
        db_session=db_session,
        username=fields.pop("username", None) or unique(role),
        role=role,
        password=password,
        **fields,
    )
    return created, people_service.create_token(db_session=db_session, user=created)


def call(db_session: Session, *, data: bytes | None = None, **fields: Any) -> Call:
    """A call row (agent_id, team, queue, status, started_at … from ``fields``); with ``data``,
    that recording is stored in the bucket too, so that playback works."""
    key = fields.pop("object_key", None) or unique("calls/recording") + ".wav"
    bucket, version = "unstored", "v"
    if data is not None:
        info = storage.put_bytes(
            bucket=get_settings().bucket, key=key, data=data, content_type="audio/wav"
        )
        bucket, version = info.bucket, info.version
    made = Call(
        bucket=bucket,
        object_key=key,
        object_version=version,
        source="upload",
        status=fields.pop("status", "scored"),
        channel_map=fields.pop("channel_map", {}),
        extra={},
        **fields,
    )
    db_session.add(made)
    db_session.flush()
    return made


def call_with_turns(db_session: Session, *, lines: list[Line], **fields: Any) -> Call:
    """A two-channel call whose transcript is ``lines`` (role, start, end, text), stored the way
    the speech stage stores it (no ASR needed)."""
    made = call(
        db_session,
        data=b"RIFF",
        language="zh",
        channel_map=CHANNELS,
        status="transcribing",
        **fields,
    )
    drafts = [
        TurnDraft(
            role=role,
            channel=CHANNELS[role],
            start=start,
            end=end,
            words=[Word(text, start, end, 0.95)],
        )
        for role, start, end, text in lines
    ]
    activity = [
        Activity(
            role=role,
            channel=channel,
            loudness_dbfs=-20.0,
            regions=[(s, e) for r, s, e, _ in lines if r == role],
        )
        for role, channel in CHANNELS.items()
    ]
    # Only what save() reads from the decoded audio: these calls were never audio.
    audio = SimpleNamespace(duration_s=lines[-1][2] + 1, source_channels=2, source_sample_rate=8000)
    speech_service.save(
        db_session=db_session,
        call=made,
        drafts=drafts,
        activity=activity,
        audio=audio,
        model_name="text",
    )
    return made


def scored_call(db_session: Session, *, lines: list[Line] = FORBIDDEN, **fields: Any) -> Call:
    """A call of ``lines``, transcribed and scored by the real engine and the shipped pack."""
    made = call_with_turns(db_session, lines=lines, **fields)
    scoring_service.score_call(
        db_session=db_session, call_id=made.id, rules_dir=get_settings().rules_dir
    )
    db_session.refresh(made)
    return made


def call_score(
    db_session: Session, made: Call, *, percent: float = 80, flagged: bool = False, **fields: Any
) -> CallScore:
    """A machine score of ``made`` as the scoring stage stores it, without running a pack."""
    score = CallScore(
        call_id=made.id,
        pack=fields.pop("pack", "zh-service"),
        pack_version=fields.pop("pack_version", "v"),
        total=percent,
        maximum=100,
        percent=percent,
        auto_failed=fields.pop("auto_failed", False),
        flagged=flagged,
        reasons=fields.pop("reasons", ["flagged"] if flagged else []),
        sections=[],
        items=[],
        **fields,
    )
    db_session.add(score)
    db_session.flush()
    return score


def submit_review(
    inspector: Any, review_id: int, *, confirm: bool = True, release: bool = True
) -> dict[str, Any]:
    """The inspector (an API client) judges every hit, scores the manual items and submits;
    returns the evaluation."""
    detail = inspector.get(f"/api/v1/reviews/{review_id}").json()
    hits = [h["hit_id"] for i in detail["items"] for h in i["hits"]]
    body = {
        "hits": [{"hit_id": h, "confirmed": confirm, "comment": "heard it"} for h in hits],
        "items": [
            {"item_id": "solution", "earned": 15},
            {"item_id": "attitude", "earned": 8, "comment": "curt"},
        ],
        "comment": "Listen to 0:12 together.",
    }
    saved = inspector.put(f"/api/v1/reviews/{review_id}", json=body)
    assert saved.status_code == 200, saved.text
    submitted = inspector.post(f"/api/v1/reviews/{review_id}/submit", json={"release": release})
    assert submitted.status_code == 201, submitted.text
    return dict(submitted.json())

"""The scoring stage: a transcribed call, its metrics and rule results under a pack, its score."""

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from services.calls.service import Call, CallStatus
from services.errors import InvalidInput, NotFound
from services.i18n import _
from services.scoring import rows
from services.scoring.rules import pack as pack_module
from services.scoring.rules.conversation import Conversation, from_turns
from services.scoring.rules.operators import KeywordParams
from services.scoring.rules.pack import CompiledPack, PackError
from services.scoring.tables import CallMetrics, CallScore, RuleHit, RuleStatus
from services.speech import service as speech_service
from services.text.normalise import is_chinese

log = logging.getLogger(__name__)
SCORABLE = (CallStatus.TRANSCRIBED, CallStatus.SCORED)

_loaded: dict[Path, tuple[float, CompiledPack | None]] = {}


def packs(*, rules_dir: Path) -> list[CompiledPack]:
    """The valid packs in ``rules_dir``, reloaded when a file changes.

    A pack that fails validation is logged and left out; a pack that was valid keeps running
    until its file is fixed, so a bad edit never takes scoring down.
    """
    found = []
    for path in sorted(rules_dir.glob("*.yaml")):
        mtime = path.stat().st_mtime
        cached = _loaded.get(path)
        if cached is None or cached[0] != mtime:
            try:
                _loaded[path] = (mtime, pack_module.load(path))
            except PackError as exc:
                log.error("rule pack not loaded: %s", exc)
                previous = cached[1] if cached else None
                _loaded[path] = (mtime, previous)
        compiled = _loaded[path][1]
        if compiled is not None:
            found.append(compiled)
    return found


def keyword_terms(*, rules_dir: Path, language: str | None) -> list[str]:
    """Every keyword term (and synonym) of the packs in ``language``, each once, in pack order
    (none without a language)."""
    terms: dict[str, None] = {}
    if language is None:
        return []
    for pack in packs(rules_dir=rules_dir):
        if pack.spec.language.split("-")[0] != language.split("-")[0]:
            continue
        for rule in pack.rules:
            for node in rule.when.walk():
                if not isinstance(node.params, KeywordParams):
                    continue
                for group in node.params.terms():
                    for term in [*group, *pack.spec.synonyms.get(group[0], [])]:
                        terms.setdefault(term.strip(), None)
    terms.pop("", None)
    return list(terms)


def get_pack(*, rules_dir: Path, pack_id: str) -> CompiledPack:
    """A pack by id, or NotFound."""
    for p in packs(rules_dir=rules_dir):
        if p.id == pack_id:
            return p
    raise NotFound(_("rule pack {pack_id!r} does not exist", pack_id=pack_id))


def pack_for(*, rules_dir: Path, call: Call, conv: Conversation) -> CompiledPack:
    """The pack for a call: by its language, else by the language its transcript is in."""
    available = packs(rules_dir=rules_dir)
    if not available:
        raise NotFound(_("no valid rule pack in {rules_dir}", rules_dir=rules_dir))
    return choose_pack(available, call.language, conv)


def choose_pack(
    available: list[CompiledPack], language: str | None, conv: Conversation | None
) -> CompiledPack:
    """Of ``available`` (not empty), the pack in ``language``, else in the language the
    transcript is in (``conv``; None: not read yet, the first pack)."""
    if language is None and conv is not None:
        language = "zh" if is_chinese("".join(conv.texts)) else "en"
    return next((p for p in available if p.spec.language == language), available[0])


def conversation(*, db_session: Session, call: Call) -> Conversation:
    """The conversation the rules see, from the stored turns and speech activity."""
    turns = speech_service.get_turns(db_session=db_session, call_id=call.id)
    activity = speech_service.get_activity(db_session=db_session, call_id=call.id)
    return conversation_of(
        [{name: getattr(t, name) for name in TURN_FIELDS} for t in turns],
        activity,
        duration_s=call.duration_s,
    )


# The turn columns the rules read (``id`` included: evidence names its turns).
TURN_FIELDS = (
    "id",
    "role",
    "start",
    "end",
    "text",
    "words",
    "norm",
    "word_edges",
    "units",
    "sentiment",
)


def conversation_of(
    turns: list[dict[str, Any]], activity: Sequence[Any], *, duration_s: float | None
) -> Conversation:
    """The conversation of stored turns (dicts of TURN_FIELDS, in order) and activity rows
    (anything with ``role``, ``channel``, ``regions`` and ``loudness_dbfs``)."""
    regions: dict[str, list[tuple[float, float]]] = {}
    for a in activity:
        regions.setdefault(a.role, []).extend((s, e) for s, e in a.regions)
    return from_turns(
        turns,
        regions=regions if activity else None,
        loudness={a.role: a.loudness_dbfs for a in activity},
        duration_s=duration_s,
        # Parties sharing a channel (a mono recording split into voices) cannot be heard overlap.
        overlap_known=len({a.channel for a in activity}) == len(activity),
    )


def score_call(
    *, db_session: Session, call_id: int, rules_dir: Path, pack_id: str | None = None
) -> CallScore | None:
    """Scores a transcribed call; re-scoring with the same pack version replaces that result."""
    call = db_session.get(Call, call_id)
    if call is None or call.status not in SCORABLE:
        return None
    conv = conversation(db_session=db_session, call=call)
    pack = (
        get_pack(rules_dir=rules_dir, pack_id=pack_id)
        if pack_id
        else pack_for(rules_dir=rules_dir, call=call, conv=conv)
    )
    scored = rows.score(call_id=call.id, pack=pack, conv=conv)
    for table in (CallScore, RuleStatus, RuleHit):
        db_session.execute(delete(table).where(*_under(table, call.id, pack.id, pack.version)))
    db_session.merge(CallMetrics(call_id=call.id, metrics=scored.metrics))
    db_session.add_all([RuleStatus(**status) for status in scored.statuses])
    db_session.add_all([RuleHit(**hit) for hit in scored.hits])
    row = CallScore(**scored.score)
    db_session.add(row)
    call.flagged = scored.flagged
    call.status = CallStatus.SCORED
    db_session.flush()
    return row


def latest_score(*, db_session: Session, call_id: int) -> CallScore | None:
    """The call's most recent score (any pack version)."""
    return db_session.scalars(
        select(CallScore)
        .where(CallScore.call_id == call_id)
        .order_by(CallScore.created_at.desc(), CallScore.id.desc())
        .limit(1)
    ).first()


def scores(*, db_session: Session, call_id: int) -> list[CallScore]:
    """Every score the call has had, newest first."""
    return list(
        db_session.scalars(
            select(CallScore).where(CallScore.call_id == call_id).order_by(CallScore.id.desc())
        )
    )


def _under(
    table: type[CallScore] | type[RuleStatus] | type[RuleHit], call_id: int, pack: str, version: str
) -> tuple[ColumnElement[bool], ...]:
    """The rows of ``table`` that belong to one call under one pack version."""
    return table.call_id == call_id, table.pack == pack, table.pack_version == version


def hits(*, db_session: Session, score: CallScore) -> list[RuleHit]:
    """The hits behind a score, in call order."""
    where = _under(RuleHit, score.call_id, score.pack, score.pack_version)
    return list(
        db_session.scalars(select(RuleHit).where(*where).order_by(RuleHit.start, RuleHit.id))
    )


def rule_results(*, db_session: Session, score: CallScore) -> list[RuleStatus]:
    """Each rule's status behind a score."""
    where = _under(RuleStatus, score.call_id, score.pack, score.pack_version)
    return list(db_session.scalars(select(RuleStatus).where(*where).order_by(RuleStatus.id)))


def metrics_of(*, db_session: Session, call_id: int) -> dict | None:
    """A call's stored metrics."""
    row = db_session.get(CallMetrics, call_id)
    return row.metrics if row else None


def check_rescorable(call: Call) -> None:
    """Only transcribed calls can be (re)scored."""
    if call.status not in SCORABLE:
        raise InvalidInput(
            _(
                "call {call_id} is {status}; only transcribed calls can be scored",
                call_id=call.id,
                status=call.status,
            )
        )

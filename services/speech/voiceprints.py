"""Agents' voiceprints: enrolled from a recording of the agent alone, used on mono calls.

On a mono recording the agent's voice is one of the two voices found; a voiceprint says which
(``roles.py`` weighs it with the other cues). It is biometric data, so it is made only when
someone enrolls the agent on purpose (the agent, a QA manager or an admin), the API says that
one exists but never returns it, enrolling and deleting are written to the audit log, and
deleting removes it for good; deleting the agent's user deletes it too. It belongs to the user
whose agent id the call names.
"""

from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import service as audit_service
from services.db import utcnow
from services.errors import BadRecording, Forbidden, InvalidInput, NotFound
from services.i18n import _
from services.people.service import Principal, Role, User
from services.speech import speakers
from services.speech.audio import decode
from services.speech.tables import Voiceprint
from services.speech.transcribe import speech_regions

MIN_SPEECH_S = 8.0  # less speech than this makes a print that matches anyone a little
MAX_RECORDING_S = 600.0
MAX_BYTES = 32 * 2**20


def _may_manage(principal: Principal, agent_id: str) -> None:
    if principal.role not in Role.MANAGERS and principal.agent_id != agent_id:
        raise Forbidden(_("only the agent, a QA manager or an admin may manage this voiceprint"))


def _user_id(db_session: Session, agent_id: str) -> int | None:
    """The user whose agent id it is (the first, should two share one)."""
    return db_session.scalar(
        select(User.id).where(User.agent_id == agent_id).order_by(User.id).limit(1)
    )


def _user_of(db_session: Session, agent_id: str) -> int:
    user_id = _user_id(db_session, agent_id)
    if user_id is None:
        raise NotFound(_("no user has the agent id {agent_id}", agent_id=agent_id))
    return user_id


def enroll(
    *, db_session: Session, agent_id: str, recording: Path, principal: Principal
) -> Voiceprint:
    """Makes (or replaces) the agent's voiceprint from a one-channel recording of their voice."""
    _may_manage(principal, agent_id)
    user_id = _user_of(db_session, agent_id)
    try:
        audio = decode(recording, max_duration_s=MAX_RECORDING_S)
    except BadRecording as exc:
        raise InvalidInput(str(exc)) from None
    if audio.channels.shape[0] != 1:
        raise InvalidInput(
            _(
                "send one channel with the agent's voice alone; this recording has {count}",
                count=audio.channels.shape[0],
            )
        )
    samples = audio.channels[0]
    regions = speech_regions(samples)
    speech_s = sum(end - start for start, end in regions)
    if speech_s < MIN_SPEECH_S:
        raise InvalidInput(
            _(
                "a voiceprint needs at least {needed:.0f} s of speech; this recording has "
                "{found:.1f} s",
                needed=MIN_SPEECH_S,
                found=speech_s,
            )
        )
    embedding = [round(float(x), 6) for x in speakers.voiceprint(samples, regions)]
    voiceprint = db_session.get(Voiceprint, user_id) or Voiceprint(user_id=user_id)
    voiceprint.embedding = embedding
    voiceprint.speech_s = round(speech_s, 1)
    voiceprint.enrolled_by = principal.username
    voiceprint.enrolled_at = utcnow()  # a print made again is as old as its new recording
    db_session.add(voiceprint)
    audit_service.record(
        db_session=db_session,
        action="voiceprint.enroll",
        detail={"agent_id": agent_id, "speech_s": voiceprint.speech_s},
    )
    db_session.flush()
    return voiceprint


def get(*, db_session: Session, agent_id: str, principal: Principal) -> Voiceprint:
    """The agent's voiceprint record (for its facts; the print itself is not shown)."""
    _may_manage(principal, agent_id)
    voiceprint = db_session.get(Voiceprint, _user_of(db_session, agent_id))
    if voiceprint is None:
        raise NotFound(_("the agent {agent_id} has no voiceprint", agent_id=agent_id))
    return voiceprint


def forget(*, db_session: Session, agent_id: str, principal: Principal) -> None:
    """Deletes the agent's voiceprint."""
    db_session.delete(get(db_session=db_session, agent_id=agent_id, principal=principal))
    audit_service.record(
        db_session=db_session, action="voiceprint.delete", detail={"agent_id": agent_id}
    )
    db_session.flush()


def of_agent(*, db_session: Session, agent_id: str | None) -> np.ndarray | None:
    """The print of a call's agent, for telling their voice on a mono recording."""
    user_id = _user_id(db_session, agent_id) if agent_id else None
    voiceprint = db_session.get(Voiceprint, user_id) if user_id is not None else None
    return None if voiceprint is None else np.asarray(voiceprint.embedding, dtype=np.float32)

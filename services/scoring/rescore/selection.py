"""Which calls a re-scoring job takes: its selectors, checked, as SQL conditions on calls."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from services.calls.service import Call
from services.db import center_time
from services.errors import InvalidInput
from services.i18n import _
from services.scoring import service as scoring_service
from services.scoring.rescore.bulk import current
from services.scoring.rules.pack import CompiledPack
from services.scoring.tables import CallScore


@dataclass(frozen=True)
class Selection:
    """Transcribed calls not yet scored with the current version of a loaded pack, narrowed by:
    the center's days ``since`` to ``until`` (both included; by when the call started), a
    ``team``, and calls scored with an older ``pack_version``. None: not narrowed."""

    since: date | None = None
    until: date | None = None
    team: str | None = None
    pack_version: str | None = None


def check(*, db_session: Session, selection: Selection, packs: list[CompiledPack]) -> None:
    """Raises InvalidInput, saying what is wrong, for selectors that cannot select anything."""
    since, until = selection.since, selection.until
    if since and until and since > until:
        raise InvalidInput(_("--since {since} is after --until {until}", since=since, until=until))
    team = selection.team
    if team and not db_session.scalar(select(exists().where(Call.team == team))):
        raise InvalidInput(_("no call belongs to team {team!r}", team=selection.team))
    version = selection.pack_version
    if version is None:
        return
    pack = next((p for p in packs if p.version == version), None)
    if pack is not None:
        raise InvalidInput(
            _(
                "{version} is the current version of pack {pack}: calls scored with it need no "
                "re-scoring",
                version=version,
                pack=pack.id,
            )
        )
    if not db_session.scalar(select(exists().where(CallScore.pack_version == version))):
        raise InvalidInput(_("no call was scored with pack version {version!r}", version=version))


def conditions(selection: Selection, packs: list[CompiledPack]) -> list[Any]:
    """The selection as conditions on ``calls``."""
    where: list[Any] = [
        Call.status.in_(scoring_service.SCORABLE),
        ~exists().where(CallScore.call_id == Call.id, current(packs)),
    ]
    if selection.team:
        where.append(Call.team == selection.team)
    if selection.since:
        where.append(Call.started_at >= center_time(selection.since))
    if selection.until:
        where.append(Call.started_at < center_time(selection.until + timedelta(days=1)))
    if selection.pack_version:
        where.append(
            exists().where(
                CallScore.call_id == Call.id, CallScore.pack_version == selection.pack_version
            )
        )
    return where

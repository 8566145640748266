"""What the calls API accepts and returns."""

from datetime import datetime
from typing import Annotated, Any, Literal

from faster_whisper.tokenizer import _LANGUAGE_CODES
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from services.i18n import _, readable
from services.types import NO_CONTROL, InputDatetime, ShortText, UtcDatetime, as_utc

ExtraText = Annotated[str, StringConstraints(max_length=1000, pattern=NO_CONTROL)]
ROLES = ("agent", "customer")
MAX_CHANNEL = 31


class CallMetadata(BaseModel):
    """Metadata an integrator sends with a recording (JSON), or puts beside it in the bucket."""

    # JSON has no infinity: 1e400 is a mistake, not a number to store as null.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    external_id: ShortText | None = Field(
        None, description="The call's id in the telephony system."
    )
    agent_id: ShortText | None = None
    team: ShortText | None = None
    queue: ShortText | None = None
    direction: Literal["inbound", "outbound"] | None = None
    started_at: InputDatetime | None = Field(
        None, description="ISO 8601; without a zone it is UTC."
    )
    channels: Literal["mono"] | dict[str, int] | None = Field(
        None,
        description='Which channel each party is on: {"agent": 0, "customer": 1}, or "mono". '
        "Left out: stereo recordings are agent left, customer right; mono ones are mono.",
    )
    language: str | None = Field(
        None, max_length=8, description="Whisper language code, e.g. zh or en."
    )
    extra: dict[ShortText, ExtraText | int | float | bool | None] = Field(
        default_factory=dict, max_length=50, description="Other fields, kept as they are."
    )

    @field_validator("channels")
    @classmethod
    def _channel_map(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if set(value) != set(ROLES):
            raise ValueError(_('a channel map names exactly "agent" and "customer"'))
        if len(set(value.values())) != len(value):
            raise ValueError(_("agent and customer must be on different channels"))
        if any(not 0 <= v <= MAX_CHANNEL for v in value.values()):
            raise ValueError(_("channel numbers go from 0 to {last}", last=MAX_CHANNEL))
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in _LANGUAGE_CODES:
            raise ValueError(
                _("unknown language code {code} (use Whisper's codes: zh, en, yue …)", code=value)
            )
        return value

    @field_validator("started_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value)

    def channel_map(self) -> dict[str, int] | None:
        """The map as stored: None for automatic, {} for mono."""
        return {} if self.channels == "mono" else self.channels


class CallAccepted(BaseModel):
    """Answer to an upload."""

    id: int
    status: str
    duplicate: bool = False
    # created | same (a duplicate, nothing changed) | updated (metadata replaced, audited) |
    # resubmitted (a failed call queued again with the new metadata)
    outcome: str = "created"


class TurnOut(BaseModel):
    """One party speaking."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    role: str
    channel: int
    start: float
    end: float
    text: str
    confidence: float
    role_confidence: float | None = Field(
        None,
        description="Mono recordings: how sure the role is (0.5–1); absent where each party "
        "has its own channel.",
    )
    redactions: list[dict[str, Any]] = Field(
        default_factory=list, description="Masked PII: type and time span of each [MASK]."
    )


class CallSummary(BaseModel):
    """A call in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    failure_reason: str | None = Field(
        description="Why the call failed, in the request's language; null unless it failed."
    )
    external_id: str | None
    agent_id: str | None
    team: str | None
    queue: str | None
    direction: str | None
    started_at: UtcDatetime | None
    language: str | None
    duration_s: float | None
    flagged: bool
    created_at: UtcDatetime

    @field_validator("failure_reason", mode="before")
    @classmethod
    def _readable_failure(cls, reason: object) -> str | None:
        # A bad recording's reason is a kept Message; other failures are plain text.
        return None if reason is None else readable(reason)


class CallDetail(CallSummary):
    """A call with its transcript; the API answers with services/scoring/schemas.py's CallOut,
    which adds the latest score (scoring builds on calls, so the score is added there)."""

    bucket: str
    object_key: str
    source: str
    channels: int | None
    sample_rate: int | None
    channel_map: dict[str, int] | None
    asr_model: str | None
    speaker_roles: dict[str, Any] | None = Field(
        None,
        description="Mono recordings: how the roles were found: method (voices | text | none), "
        "confidence, and the reason in words.",
    )
    extra: dict[str, Any]
    updated_at: UtcDatetime
    turns: list[TurnOut]


class CallPage(BaseModel):
    """A page of calls; pass ``next_cursor`` as ``cursor`` for the next one."""

    items: list[CallSummary]
    next_cursor: str | None


class S3EventsAccepted(BaseModel):
    """What a bucket notification led to."""

    registered: list[int]
    duplicates: list[int]
    ignored: list[str]


class PlaybackOut(BaseModel):
    """Where to fetch a recording, for a few minutes."""

    url: str
    expires_in_s: int

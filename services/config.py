"""zhijian settings: the one place that reads the environment (prefix ``ZHIJIAN_``)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "zhijian-secret"  # noqa: S105 - refused outside development and tests


class Settings(BaseSettings):
    """Every knob zhijian has; each field is ``ZHIJIAN_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="ZHIJIAN_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(Path(".zhijian"), description="Embedded mode: SQLite, S3 data, broker.")

    database_url: str = Field(
        "", description="Default: the SQLite file zhijian.db in the data directory."
    )
    db_pool_size: int = Field(
        20,
        ge=1,
        le=500,
        description="Database connections each process keeps; the API works on at most this "
        "many requests at once, and the others wait their turn rather than for a connection.",
    )

    s3_endpoint: str = "127.0.0.1:8333"
    s3_access_key: str = "zhijian"
    s3_secret_key: str = DEVELOPMENT_SECRET
    s3_secure: bool = False
    s3_region: str | None = None
    bucket: str = "recordings"
    upload_prefix: str = "uploads/"
    reconcile_prefix: str = ""
    reconcile_interval_s: float = 600.0
    report_rollup_interval_s: float = Field(
        60.0, gt=0, description="The workers fold newly stored scores into the report rollups."
    )
    report_read_fold_max: int = Field(
        2000,
        ge=0,
        description="A report request folds in at most this many not-yet-rolled scores itself; "
        "with more pending (a bulk import) it reads the rollups as they are until the workers "
        "catch up.",
    )

    broker_url: str = "redis://127.0.0.1:6379/0"
    # Redis re-delivers an unacknowledged task after this long; it must exceed the longest ASR job.
    broker_visibility_timeout_s: int = 3 * 3600
    asr_queue: Literal["asr", "asr-gpu"] = "asr"
    max_deliveries: int = Field(
        3, ge=1, description="Starts of one call's transcription before it fails."
    )
    transcription_lease_s: float = Field(
        120.0,
        ge=2,
        le=3600,
        description="A transcribing call whose worker has not reported for this long (it "
        "reports every quarter of it) is requeued; the requeue counts as a delivery.",
    )

    session_hours: float = Field(12.0, gt=0, description="Browser sessions last this long.")
    sign_in_link_hours: float = Field(
        72.0, gt=0, description="A one-time sign-in link (to set a password) lasts this long."
    )
    cookie_secure: bool | None = Field(None, description="Secure cookies; default: in production.")
    s3_webhook_secret: str | None = Field(
        None, description="Shared secret the S3 event webhook accepts instead of a token."
    )
    playback_url_ttl_s: int = Field(
        300, ge=10, le=3600, description="Presigned audio URL lifetime."
    )
    s3_public_endpoint: str | None = Field(
        None,
        description="host:port players reach the S3 server at. Set: playback links are presigned "
        "S3 URLs signed for it. Unset: the API streams recordings itself.",
    )
    public_url: str | None = Field(
        None,
        description="The address people reach the API at (http://10.1.2.3:8000, or "
        "https://qa.example.com/zhijian behind a proxy); links in answers point there. "
        "Default: the address each request came to.",
    )

    redact_pii: bool = Field(
        True, description="Mask phone, ID, card, e-mail, address in transcripts."
    )
    keep_unredacted: bool = Field(False, description="Also keep the unmasked text (admins only).")
    redact_audio: bool = Field(False, description="Store a copy of the audio bleeped over PII.")
    pii_roles: list[str] = Field(
        default_factory=lambda: ["admin", "qa_manager", "inspector"],
        description="Roles that hear the original audio; the others get the bleeped copy.",
    )

    retention_days: int | None = Field(
        None, ge=1, description="Delete recordings and transcripts older than this; None keeps all."
    )

    max_upload_bytes: int = Field(200 * 1024 * 1024, ge=1)
    max_recording_s: float = Field(4 * 3600.0, gt=0)

    rules_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "rules",
        description="Where rule packs (*.yaml) are.",
    )

    discipline_file: Path = Field(
        Path("discipline/ladder.yaml"),
        description="The discipline ladder; a relative path is taken within the rules directory.",
    )
    dispute_window_days: int = Field(
        7, ge=1, le=365, description="Days after release an agent may dispute an evaluation."
    )
    disputes_per_evaluation: int = Field(
        5, ge=1, le=100, description="Items an agent may dispute per evaluation, at most."
    )
    notify_webhook_url: str | None = Field(
        None, description="Notifications are also POSTed here as JSON (signed if a secret is set)."
    )
    notify_webhook_secret: str | None = Field(
        None, description="HMAC-SHA256 key for the X-Zhijian-Signature header of webhook posts."
    )

    center_timezone: str = Field(
        "Asia/Shanghai",
        description="The center's time zone: report and sampling days, weeks and months follow it.",
    )

    default_language: Literal["zh_CN", "en"] = Field(
        "zh_CN",
        description="Language of messages when neither the user's setting nor the request's "
        "Accept-Language chooses one.",
    )
    asr_model: str = Field(
        "base", description="'base' (shipped) or a CTranslate2 Whisper directory."
    )
    asr_model_cache: Path = Path.home() / ".cache" / "zhijian" / "models"
    asr_device: Literal["cpu", "cuda", "auto"] = "cpu"
    asr_compute_type: str = "int8"
    asr_beam_size: int = Field(5, ge=1, le=20)
    asr_temperatures: list[float] = Field(
        default_factory=lambda: [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        min_length=1,
        description="Whisper decodes at the first; the next are tried when the text looks wrong "
        "(loops, low confidence), which samples at random. [0] is deterministic.",
    )
    asr_cpu_threads: int = Field(
        1,
        ge=0,
        description="Threads for each party's decoding (a call's two parties decode at once); "
        "0 lets CTranslate2 choose.",
    )
    asr_language: str | None = Field(
        None, description="Default language; None detects per channel."
    )
    asr_hotwords: str = Field(
        "off",
        description="Pass the rule packs' keywords to Whisper as hotwords: 'on', 'off', or the "
        "queues to do it for, comma-separated (the call's language must be known).",
    )
    asr_hotwords_max_chars: int = Field(
        60, ge=0, le=200, description="Hotwords share Whisper's prompt budget; at most this long."
    )
    # A pause at least this long inside one party's speech starts a new turn.
    turn_pause_s: float = Field(0.8, gt=0)
    mono_diarization: bool = Field(
        True,
        description="Mono recordings: split the two voices and tell agent from customer; "
        "off: one party with role unknown.",
    )
    mono_role_confidence: float = Field(
        0.8,
        ge=0.5,
        le=1.0,
        description="Mono recordings: below this confidence the roles stay unknown.",
    )

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ValueError(f"not an http(s) base URL: {value!r} / 不是 http(s) 地址")
        return value.rstrip("/")

    @field_validator("center_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} / 未知时区") from None
        return value

    @model_validator(mode="after")
    def _database_in_the_data_dir(self) -> "Settings":
        # Derived, not a fixed relative path: every command given the same data directory
        # (``zhijian up``, ``zhijian users create``, a worker) opens the same database.
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir.resolve() / 'zhijian.db'}"
        return self

    @model_validator(mode="after")
    def _ladder_beside_the_packs(self) -> "Settings":
        if not self.discipline_file.is_absolute():
            self.discipline_file = self.rules_dir / self.discipline_file
        return self

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> "Settings":
        if self.environment == "production" and self.s3_secret_key == DEVELOPMENT_SECRET:
            raise ValueError("ZHIJIAN_S3_SECRET_KEY must be set in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """Returns the process-wide settings, read once from the environment."""
    return Settings()

"""Playback links: for a few minutes, whoever holds one gets the recording streamed by the API.

This is what a presigned S3 URL does, at the API's own address, so a player on another machine
needs to reach nothing but the API. A link names the call and its expiry and is signed over the
object it plays, so it cannot be stretched, moved to another call or turned from the bleeped
copy to the original. The signing key is derived from the S3 secret: every API process has it,
it is never the development default in production, and a presigned S3 URL rests on it already.
"""

import hashlib
import hmac
from urllib.parse import urlencode

from services.config import Settings

_PURPOSE = b"zhijian playback link v1"


def stream_path(call_id: int) -> str:
    """Where the API streams a call's audio, below its base URL."""
    return f"/api/v1/calls/{call_id}/audio/stream"


def signature(*, settings: Settings, call_id: int, key: str, expires: int) -> str:
    """The signature of a link to object ``key`` of call ``call_id`` until ``expires``."""
    secret = hmac.new(settings.s3_secret_key.encode(), _PURPOSE, hashlib.sha256).digest()
    message = f"{call_id}\n{expires}\n{key}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def url(
    *, settings: Settings, base: str, call_id: int, key: str, expires: int, path: str = ""
) -> str:
    """A link to object ``key`` of the call, under ``base`` (the API's public address), at
    ``path`` (default: the call's own stream; a calibration session streams it under its own)."""
    sig = signature(settings=settings, call_id=call_id, key=key, expires=expires)
    query = urlencode({"expires": expires, "signature": sig})
    return f"{base.rstrip('/')}{path or stream_path(call_id)}?{query}"


def signed_key(
    *,
    settings: Settings,
    call_id: int,
    candidates: list[str],
    expires: int,
    sent: str,
    now: float,
) -> str | None:
    """Which of ``candidates`` (the call's objects) a link signed ``sent`` plays, or None when
    it has expired or was not signed for any of them."""
    if expires < now:
        return None
    for key in candidates:
        expected = signature(settings=settings, call_id=call_id, key=key, expires=expires)
        if hmac.compare_digest(expected.encode(), sent.encode()):
            return key
    return None

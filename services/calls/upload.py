"""Streaming multipart upload with the size limit enforced while bytes arrive."""

import hashlib
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import BinaryIO

from fastapi import Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from services.calls.schemas import CallMetadata
from services.errors import InvalidInput, TooLarge
from services.i18n import _
from services.validation import message_of

METADATA_LIMIT = 64 * 1024
# Multipart boundaries and part headers on top of the recording itself.
ENVELOPE_BYTES = METADATA_LIMIT + 16 * 1024


@dataclass
class ReceivedUpload:
    """A recording received in full, spooled locally, and its validated metadata."""

    file: BinaryIO
    filename: str | None
    content_type: str
    size: int
    sha256: str
    metadata: CallMetadata


async def receive(request: Request, *, max_bytes: int) -> ReceivedUpload:
    """Parses ``audio`` and ``metadata`` parts; raises TooLarge past ``max_bytes``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + ENVELOPE_BYTES:
        raise TooLarge(
            _("the upload is larger than the limit of {max_bytes} bytes", max_bytes=max_bytes)
        )
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidInput(
            _("send the recording as multipart/form-data with parts audio and metadata")
        )
    parser = MultiPartParser(
        request.headers,
        limited(request.stream(), max_bytes + ENVELOPE_BYTES, max_bytes),
        max_files=1,
        max_fields=4,
        max_part_size=METADATA_LIMIT,
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidInput(
            _("the multipart body is malformed: {message}", message=exc.message)
        ) from None
    # Reading the spooled file back to hash it blocks: off the event loop.
    return await run_in_threadpool(_validated, form, max_bytes)


async def limited(
    stream: AsyncIterator[bytes], limit: int, max_bytes: int
) -> AsyncGenerator[bytes, None]:
    """``stream``, refused (TooLarge, naming ``max_bytes``) as soon as it passes ``limit``."""
    received = 0
    async for chunk in stream:
        received += len(chunk)
        if received > limit:
            raise TooLarge(
                _("the upload is larger than the limit of {max_bytes} bytes", max_bytes=max_bytes)
            )
        yield chunk


def _validated(form: FormData, max_bytes: int) -> ReceivedUpload:
    audio = form.get("audio")
    if not isinstance(audio, UploadFile):
        raise InvalidInput(_("the part 'audio' with the recording file is missing"))
    raw = form.get("metadata", "{}")
    if not isinstance(raw, str):
        raise InvalidInput(_("the part 'metadata' must be JSON text, not a file"))
    try:
        metadata = CallMetadata.model_validate_json(raw or "{}")
    except ValidationError as exc:
        err = exc.errors()[0]
        place = ".".join(str(p) for p in err["loc"]) or "metadata"
        raise InvalidInput(
            _("metadata is invalid at {place}: {msg}", place=place, msg=message_of(err))
        ) from None
    digest = hashlib.sha256()
    size = 0
    audio.file.seek(0)
    while block := audio.file.read(1 << 20):
        digest.update(block)
        size += len(block)
    if size == 0:
        raise InvalidInput(_("the recording is empty (0 bytes)"))
    if size > max_bytes:
        raise TooLarge(
            _("the upload is larger than the limit of {max_bytes} bytes", max_bytes=max_bytes)
        )
    audio.file.seek(0)
    return ReceivedUpload(
        file=audio.file,
        filename=audio.filename,
        content_type=audio.content_type or "application/octet-stream",
        size=size,
        sha256=digest.hexdigest(),
        metadata=metadata,
    )

"""Streaming a recording to a player: the whole object, or the byte range it asks for."""

import mimetypes

from fastapi import Response
from fastapi.responses import StreamingResponse

from services import storage
from services.speech import ranges


def audio_response(
    *, bucket: str, key: str, range_header: str | None, if_range: str | None
) -> Response:
    """The object streamed (200), the bytes a ``Range`` header asks for (206), or 416 for a
    range past its end; ``If-Range`` with another version's ETag starts over."""
    info = storage.stat(bucket=bucket, key=key)
    etag = f'"{info.version}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Cache-Control": "private, max-age=0",
        "Content-Disposition": "inline",
    }
    try:
        wanted = ranges.parse(range_header, info.size)
    except ranges.Unsatisfiable:
        headers["Content-Range"] = f"bytes */{info.size}"
        return Response(status_code=416, headers=headers)
    if if_range is not None and if_range.strip() != etag:
        wanted = None  # the player's earlier bytes came from another version: start over
    start, length = (wanted.start, wanted.length) if wanted else (0, info.size)
    headers["Content-Length"] = str(length)
    if wanted:
        headers["Content-Range"] = wanted.content_range
    return StreamingResponse(
        storage.read_range(bucket=bucket, key=key, start=start, length=length),
        status_code=206 if wanted else 200,
        media_type=mimetypes.guess_type(key)[0] or "application/octet-stream",
        headers=headers,
    )

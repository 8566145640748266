"""Maps zhijian's errors to HTTP answers with a readable ``detail``."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    NotReady,
    ObjectMissing,
    StorageUnavailable,
    TooLarge,
    Unauthenticated,
    ZhijianError,
)
from services.people.service import LoginThrottled

STATUS = [
    (Unauthenticated, 401),
    (Forbidden, 403),
    (LoginThrottled, 429),
    (TooLarge, 413),
    (Conflict, 409),
    (InvalidInput, 422),
    (NotFound, 404),
    (ObjectMissing, 404),
    (StorageUnavailable, 503),
]


def install(app: FastAPI) -> None:
    """Registers the error handler on ``app``."""

    @app.exception_handler(ZhijianError)
    async def _handle(_request: Request, exc: ZhijianError) -> JSONResponse:
        code = next((c for cls, c in STATUS if isinstance(exc, cls)), 500)
        headers = {}
        if isinstance(exc, Unauthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, LoginThrottled):
            headers["Retry-After"] = str(exc.retry_after_s)
        if isinstance(exc, NotReady) and exc.retry_after_s is not None:
            headers["Retry-After"] = str(exc.retry_after_s)
        return JSONResponse({"detail": str(exc)}, status_code=code, headers=headers)

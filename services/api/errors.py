"""Maps zhijian's errors to HTTP answers with a readable ``detail``."""

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from services.db import unreachable
from services.errors import (
    Conflict,
    DatabaseUnavailable,
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
from services.i18n import _
from services.people.signin import LoginThrottled
from services.validation import localised_errors

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
    (DatabaseUnavailable, 503),
]


def _finite(value: Any) -> Any:
    """``value`` with infinities and NaN written as text: JSON has no such numbers, and a 422
    that echoes the input must not fail to encode it."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


# Unique violation, serialization failure, deadlock: another request changed the same thing at
# the same moment. The services guard their races; this is the net under any they miss.
RACE_SQLSTATES = {"23505", "40001", "40P01"}
# A client told the database is away tries again after this long (a restart takes seconds).
DATABASE_RETRY_AFTER_S = 5


def install(app: FastAPI) -> None:
    """Registers the error handlers on ``app``."""

    @app.exception_handler(DBAPIError)
    async def _database(_request: Request, exc: DBAPIError) -> JSONResponse:
        if unreachable(exc):
            # Restarted, failed over or away: a passing state, said as such (not a 500).
            return JSONResponse(
                {"detail": _("the database cannot be reached at the moment; try again shortly")},
                status_code=503,
                headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
            )
        if getattr(exc.orig, "sqlstate", None) not in RACE_SQLSTATES:
            raise exc
        detail = _("another request changed the same data at the same moment; try again")
        return JSONResponse({"detail": detail}, status_code=409)

    @app.exception_handler(PoolTimeout)
    async def _busy(_request: Request, _exc: PoolTimeout) -> JSONResponse:
        # No database connection came free in time: overload, not a fault of the request.
        detail = _("the server is busy; try again in a few seconds")
        return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, its texts in the request's language, and always encodable.
        detail = _finite(jsonable_encoder(localised_errors(list(exc.errors()))))
        return JSONResponse({"detail": detail}, status_code=422)

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

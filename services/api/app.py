"""The FastAPI application factory."""

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy import text

from services.api import errors, openapi
from services.api.params import DbSession
from services.audit.router import router as audit_router
from services.calibration.router import router as calibration_router
from services.calls.router import router as calls_router
from services.i18n import LanguageMiddleware, _
from services.notifications.router import router as notifications_router
from services.people.router import router as people_router
from services.qa.discipline.router import router as discipline_router
from services.qa.disputes.router import router as disputes_router
from services.qa.evaluations.router import router as evaluations_router
from services.qa.reviews.router import assign_router, precision_router
from services.qa.reviews.router import router as reviews_router
from services.qa.rotation.router import router as rotation_router
from services.qa.sampling.router import router as sampling_router
from services.reports.router import router as reports_router
from services.scoring.router import router as rules_router
from services.speech.router import router as speech_router
from services.web.router import router as web_router


def create_app() -> FastAPI:
    """Builds the API: every router, the error handler, ``/healthz`` and ``/docs``."""
    # /docs and /redoc load Swagger UI and ReDoc from files installed with zhijian, not from a
    # CDN: call centers often run on networks that reach no public site.
    app = FastAPIOffline(
        title="zhijian",
        summary="Call-center quality assurance and speech analytics",
        version="0.1.0",
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from swagger.io
    )
    errors.install(app)
    openapi.declare_security(app)

    @app.middleware("http")
    async def refuse_nul(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # A NUL in the URL reaches no valid object and would only upset the database.
        if "%00" in request.url.query or "\x00" in request.url.path or "%00" in request.url.path:
            return JSONResponse(
                {"detail": _("NUL characters are not allowed in URLs")}, status_code=422
            )
        return await call_next(request)

    # Added last, so outermost: even the answers above are in the caller's language.
    app.add_middleware(LanguageMiddleware)

    app.include_router(calls_router)
    app.include_router(speech_router)
    app.include_router(rules_router)
    app.include_router(people_router)
    app.include_router(audit_router)
    app.include_router(sampling_router)
    app.include_router(assign_router)
    app.include_router(rotation_router)
    app.include_router(reviews_router)
    app.include_router(precision_router)
    app.include_router(evaluations_router)
    app.include_router(disputes_router)
    app.include_router(discipline_router)
    app.include_router(notifications_router)
    app.include_router(calibration_router)
    app.include_router(reports_router)
    app.include_router(web_router)  # the pages, at /

    @app.get("/healthz", tags=["health"])
    def healthz(db_session: DbSession) -> dict[str, str]:
        """Liveness and database reachability."""
        db_session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app

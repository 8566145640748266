"""The FastAPI application factory."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from services import db
from services.api import errors, openapi
from services.api.capacity import AdmissionGate
from services.audit.router import router as audit_router
from services.calibration.router import router as calibration_router
from services.calls.router import router as calls_router
from services.config import get_settings
from services.context import RequestContextMiddleware
from services.health import service as health_service
from services.i18n import LanguageMiddleware, _
from services.notifications.router import router as notifications_router
from services.people.admin_router import router as people_admin_router
from services.people.router import router as people_router
from services.qa.discipline.router import router as discipline_router
from services.qa.disputes.router import router as disputes_router
from services.qa.evaluations.router import router as evaluations_router
from services.qa.reviews.router import assign_router, precision_router, reevaluate_router
from services.qa.reviews.router import router as reviews_router
from services.qa.rotation.router import router as rotation_router
from services.qa.sampling.router import router as sampling_router
from services.reports.coaching_router import coaching_router
from services.reports.router import router as reports_router
from services.scoring.rescore.router import router as rescore_router
from services.scoring.router import call_router as call_detail_router
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
    app.add_middleware(RequestContextMiddleware)  # who and from where, for the audit log
    app.add_middleware(AdmissionGate)  # outermost: a request waits here holding nothing

    app.include_router(calls_router)
    app.include_router(call_detail_router)
    app.include_router(speech_router)
    app.include_router(rules_router)
    app.include_router(rescore_router)
    app.include_router(people_router)
    app.include_router(people_admin_router)
    app.include_router(audit_router)
    app.include_router(sampling_router)
    app.include_router(assign_router)
    app.include_router(rotation_router)
    app.include_router(reviews_router)
    app.include_router(precision_router)
    app.include_router(evaluations_router)
    app.include_router(reevaluate_router)
    app.include_router(disputes_router)
    app.include_router(discipline_router)
    app.include_router(notifications_router)
    app.include_router(calibration_router)
    app.include_router(reports_router)
    app.include_router(coaching_router)
    app.include_router(web_router)  # the pages, at /

    @app.get("/healthz", tags=["health"])
    def healthz(
        response: Response,
        # For probes and monitoring (README), not for API clients: left out of the schema.
        strict: Annotated[bool, Query(include_in_schema=False)] = False,
    ) -> dict[str, Any]:
        """The database, the broker and the workers: ``ok``, or ``degraded`` with the reasons.

        200 while the API can serve (workers or broker missing show as ``degraded``); 503 when
        the database is unreachable, and with ``strict=true`` whenever degraded.
        """
        with db.session_factory()() as db_session:
            health = health_service.check(db_session=db_session, settings=get_settings())
        if health.database != "ok" or (strict and health.reasons):
            response.status_code = 503
        return {
            "status": health.status,
            "database": health.database,
            "broker": health.broker,
            "workers": health.workers,
            "reasons": health.reasons,
        }

    return app

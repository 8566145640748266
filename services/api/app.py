"""The FastAPI application factory."""

from fastapi import FastAPI
from sqlalchemy import text

from services.api import errors
from services.audit.router import router as audit_router
from services.calls.router import router as calls_router
from services.db import DbSession
from services.people.router import router as people_router
from services.scoring.router import router as rules_router


def create_app() -> FastAPI:
    """Builds the API: every router, the error handler, ``/healthz`` and ``/docs``."""
    app = FastAPI(
        title="zhijian",
        summary="Call-center quality assurance and speech analytics",
        version="0.1.0",
    )
    errors.install(app)
    app.include_router(calls_router)
    app.include_router(rules_router)
    app.include_router(people_router)
    app.include_router(audit_router)

    @app.get("/healthz", tags=["health"])
    def healthz(db_session: DbSession) -> dict[str, str]:
        """Liveness and database reachability."""
        db_session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app

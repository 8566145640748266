"""The web workplace: server-rendered pages for every role, mounted at ``/``."""

from fastapi import APIRouter

from services.web import agent, browse, disputes, entry, evaluation, inspector, manage

router = APIRouter()
for part in (entry, inspector, evaluation, agent, disputes, browse, manage):
    router.include_router(part.router)

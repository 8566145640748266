"""The rule packs in force, each rule with how often inspectors confirmed its hits (precision),
for those the API shows precision to."""

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from services.api.params import DbSession
from services.config import get_settings
from services.errors import Forbidden
from services.i18n import _
from services.people.tables import Role
from services.qa.reviews import service as reviews
from services.scoring import service as scoring_service
from services.web.auth import Viewer, WebRoute, choose_language
from services.web.templating import render

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
READERS = (Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR, Role.TRAINING_LEAD)


@router.get("/rules", response_class=HTMLResponse, include_in_schema=False)
def rules(db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """Every pack's rules with their precision so far."""
    if principal.role not in READERS:
        raise Forbidden(_("This page is for QA staff."))
    packs = scoring_service.packs(rules_dir=get_settings().rules_dir)
    precision = {
        rule.id: reviews.precision(db_session=db_session, rule_id=rule.id)
        for pack in packs
        for rule in pack.spec.rules
    }
    page = render("rules.html", principal=principal, packs=packs, precision=precision)
    return HTMLResponse(page)

"""The rule packs in force: each rule by its name in the reader's language, with how often
inspectors confirmed its hits (precision), each pack's self-test, and a form that validates an
uploaded pack (its errors and test results shown, nothing installed)."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse

from services.api.params import DbSession
from services.config import get_settings
from services.errors import Forbidden
from services.i18n import _, localised
from services.people.service import Principal, Role
from services.qa.reviews import service as reviews
from services.scoring import service as scoring_service
from services.scoring import validation
from services.scoring.rules.pack import MAX_PACK_BYTES
from services.scoring.schemas import ValidationOut
from services.web.auth import Sender, Viewer, WebRoute, choose_language
from services.web.templating import render

router = APIRouter(route_class=WebRoute, dependencies=[Depends(choose_language)])
READERS = (Role.ADMIN, Role.QA_MANAGER, Role.INSPECTOR, Role.TRAINING_LEAD)


def _page(db_session: DbSession, principal: Principal, checked: ValidationOut | None,
          status: int = 200) -> HTMLResponse:  # fmt: skip
    packs = scoring_service.packs(rules_dir=get_settings().rules_dir)
    shown = [
        {
            "pack": pack,
            "self_test": validation.self_test(pack),
            "rules": [
                {
                    "rule": rule,
                    "name": localised(pack.names(rule)),
                    "precision": reviews.precision(db_session=db_session, rule_id=rule.id),
                }
                for rule in pack.spec.rules
            ],
        }
        for pack in packs
    ]
    page = render(
        "rules.html",
        principal=principal,
        packs=shown,
        checked=checked,
        may_validate=principal.role in Role.MANAGERS,
        max_kb=MAX_PACK_BYTES // 1024,
    )
    return HTMLResponse(page, status_code=status)


@router.get("/rules", response_class=HTMLResponse, include_in_schema=False)
def rules(db_session: DbSession, principal: Viewer) -> HTMLResponse:
    """Every pack's rules with their precision so far and the pack's self-test."""
    if principal.role not in READERS:
        raise Forbidden(_("This page is for QA staff."))
    return _page(db_session, principal, None)


@router.post("/rules/validate", response_class=HTMLResponse, include_in_schema=False)
def validate(
    db_session: DbSession,
    principal: Sender,
    pack_file: Annotated[UploadFile | None, File()] = None,
    pack_text: Annotated[str, Form(max_length=MAX_PACK_BYTES)] = "",
) -> HTMLResponse:
    """Validates an uploaded pack (a file, or YAML pasted) and runs its test cases, as the API's
    validation does; the page shows the verdict. Nothing is installed."""
    if principal.role not in Role.MANAGERS:
        raise Forbidden(_("Only QA managers validate rule packs."))
    body = pack_file.file.read(MAX_PACK_BYTES + 1) if pack_file else b""
    checked = validation.validate(body or pack_text.encode("utf-8"))
    return _page(db_session, principal, checked, 200 if checked.valid else 422)

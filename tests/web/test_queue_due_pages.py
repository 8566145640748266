"""Due dates on the pages: the queue shows when each review is due, risky calls first and then
the soonest due, the overdue ones marked and counted; a QA manager lists only the overdue
reviews of everyone; a plan made on the manage page says when its reviews fall due."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.db import utcnow
from services.qa.reviews.tables import Review
from services.qa.sampling.tables import SamplingPlan
from tests import factories
from tests.web.signin import sign_in


@pytest.fixture
def browser():
    with TestClient(create_app(), headers={"Accept-Language": "en-US,en;q=0.9"}) as client:
        yield client


@pytest.fixture
def queue(db_session):
    """Two inspectors' reviews: risky ones due later and overdue, random ones due soon, overdue
    and never; the second inspector has one overdue review."""
    mine, _token = factories.user(db_session, "inspector", team="qa-desk")
    theirs, _token = factories.user(db_session, "inspector", team="qa-desk-2")
    manager, _token = factories.user(db_session, "qa_manager")
    now = utcnow()
    plan = {  # name: (inspector, priority, due)
        "risky-later": (mine, 0, now + timedelta(days=3)),
        "risky-late": (mine, 0, now - timedelta(hours=2)),
        "random-none": (mine, 1, None),
        "random-soon": (mine, 1, now + timedelta(hours=5)),
        "random-late": (mine, 1, now - timedelta(days=1)),
        "theirs-late": (theirs, 1, now - timedelta(days=2)),
    }
    reviews = {}
    for name, (inspector, priority, due) in plan.items():
        call = factories.call(db_session, agent_id=factories.unique("DUE"), team="floor")
        reviews[name] = Review(call_id=call.id, inspector_id=inspector.id, priority=priority,
                               reason=name, due_at=due)  # fmt: skip
        db_session.add(reviews[name])
    db_session.commit()
    return {"mine": mine, "manager": manager, "reviews": reviews}


def _order(page: str, reviews: dict[str, Review]) -> list[str]:
    shown = {name: page.find(f'data-review="{r.id}"') for name, r in reviews.items()}
    return sorted((n for n, at in shown.items() if at >= 0), key=shown.__getitem__)


def test_the_queue_is_risky_first_then_soonest_due_with_the_overdue_marked(queue, browser):
    sign_in(browser, queue["mine"].username)
    page = browser.get("/reviews").text

    assert _order(page, queue["reviews"]) == [
        "risky-late", "risky-later", "random-late", "random-soon", "random-none",
    ]  # fmt: skip
    assert 'id="count-overdue">2<' in page
    late = queue["reviews"]["random-late"]
    row = page[page.index(f'data-review="{late.id}"') - 60 : page.index(f'data-review="{late.id}"')]
    assert "overdue" in row  # the row's class
    assert page.count('class="badge late"') == 2


def test_a_qa_manager_lists_only_the_overdue_reviews_of_everyone(queue, browser):
    sign_in(browser, queue["manager"].username)
    everything = browser.get("/reviews").text
    assert 'id="only-overdue"' in everything

    overdue = browser.get("/reviews", params={"overdue": "true"}).text

    assert _order(overdue, queue["reviews"]) == ["risky-late", "theirs-late", "random-late"]
    assert 'id="show-all"' in overdue


def test_an_inspector_with_nothing_overdue_is_told_so(db_session, browser):
    inspector, _token = factories.user(db_session, "inspector", team="qa-desk")
    db_session.commit()
    sign_in(browser, inspector.username)
    assert "No review is overdue." in browser.get("/reviews?overdue=true").text


@pytest.mark.parametrize(("typed", "stored"), [("2", 2), ("", None)])
def test_a_plan_from_the_manage_page_says_when_its_reviews_are_due(
    typed, stored, browser, db_session
) -> None:
    manager, _token = factories.user(db_session, "qa_manager")
    db_session.commit()
    csrf = sign_in(browser, manager.username)
    assert browser.get("/manage").text.count('name="review_within_days"') == 1  # the plan form's
    name = factories.unique("due-plan")

    made = browser.post(
        "/manage/plans",
        data={"csrf_token": csrf, "name": name, "review_within_days": typed},
    )

    assert made.status_code == 200, made.text
    plan = db_session.scalars(select(SamplingPlan).where(SamplingPlan.name == name)).one()
    assert plan.spec["review_within_days"] == stored
    said = "Reviews are due 2 day(s) after the run." if stored else "Reviews have no due date."
    assert said in made.text


def test_a_plan_with_a_wrong_number_of_days_is_refused(browser, db_session) -> None:
    manager, _token = factories.user(db_session, "qa_manager")
    db_session.commit()
    csrf = sign_in(browser, manager.username)
    for typed in ("soon", "91", "-1"):
        refused = browser.post("/manage/plans", data={"csrf_token": csrf, "name": "x",
                                                      "review_within_days": typed})  # fmt: skip
        assert refused.status_code == 422, typed

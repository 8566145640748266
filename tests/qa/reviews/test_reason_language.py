"""Why a call was picked reads in the reader's language, whoever started the run: the same
review (and the run's picks) reads in Chinese and in English; a reason stored as plain text
before reasons were kept as messages still shows as it was written."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.i18n import use_language
from services.qa.reviews import assignment
from services.qa.reviews.tables import Review
from services.qa.sampling import service as sampling_service
from services.qa.sampling.schemas import PlanSpec
from services.scoring.tables import CallScore
from tests import factories
from tests.web.signin import sign_in

WEEK = datetime(2034, 3, 6, tzinfo=UTC)  # a Monday
UPSET = [  # the customer complains, angry; the agent does not answer it
    ("agent", 0.0, 6.0, "您好，很高兴为您服务，我是客服工号一零二四，请问有什么可以帮您"),
    ("customer", 6.5, 10.0, "你们这服务太差了，我要投诉"),
    ("agent", 10.5, 13.0, "您的话费余额是五十八元"),
]


@pytest.fixture
def picked(db_session, client_as):
    """A run started by an English-speaking user: a flagged call and a low-scored call of one
    team, both picked for risk and assigned to the team's one outside inspector."""
    team = factories.unique("reasons")
    inspector, token = factories.user(db_session, "inspector", team="qa-reasons")
    flagged = factories.call(db_session, agent_id=f"{team}-a", team=team, queue="q",
                             started_at=WEEK + timedelta(hours=1))  # fmt: skip
    factories.call_score(db_session, flagged, percent=90, flagged=True, reasons=["dead_air"])
    low = factories.call(db_session, agent_id=f"{team}-b", team=team, queue="q",
                         started_at=WEEK + timedelta(hours=2))  # fmt: skip
    factories.call_score(db_session, low, percent=40)
    spec = PlanSpec(name=team, period="week", per_agent=1, filters={"teams": [team]},
                    always={"score_below": 60})  # fmt: skip
    with use_language("en"):
        plan = sampling_service.create_plan(db_session=db_session, spec=spec)
        run = sampling_service.run(
            db_session=db_session, plan=plan, at=WEEK, dry_run=False, created_by="t"
        )[0]
        assert run is not None
        placed = assignment.assign_run(db_session=db_session, run=run)
    db_session.commit()
    reviews = {p.review.call_id: p.review for p in placed}
    return {
        "run": run,
        "flagged": reviews[flagged.id],
        "low": reviews[low.id],
        "inspector": inspector,
        "api": TestClient(create_app(), headers={"Authorization": f"Bearer {token}"}),
        "manager": client_as("qa_manager"),
    }


def _reason(client: TestClient, review: Review, language: str) -> str:
    answer = client.get(f"/api/v1/reviews/{review.id}", headers={"Accept-Language": language})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["review"]["reason"])


def test_the_same_review_gives_its_reason_in_each_readers_language(picked):
    api = picked["api"]

    assert _reason(api, picked["flagged"], "en") == "flagged: dead_air"
    assert _reason(api, picked["flagged"], "zh-CN") == "已标记：dead_air"
    assert _reason(api, picked["low"], "en") == "machine score 40 under 60"
    assert _reason(api, picked["low"], "zh-CN") == "机器评分 40 低于 60"


def test_the_runs_picks_give_their_reasons_in_each_readers_language(picked):
    def reasons(language: str) -> set[str]:
        answer = picked["manager"].get(
            f"/api/v1/sampling/runs/{picked['run'].id}", headers={"Accept-Language": language}
        )
        assert answer.status_code == 200, answer.text
        return {p["reason"] for p in answer.json()["picks"]}

    assert reasons("en") == {"flagged: dead_air", "machine score 40 under 60"}
    assert reasons("zh-CN") == {"已标记：dead_air", "机器评分 40 低于 60"}


def test_the_queue_page_gives_the_reason_in_the_readers_language(picked):
    shown = {"en": "machine score 40 under 60", "zh-CN": "机器评分 40 低于 60"}
    for language, expected in shown.items():
        with TestClient(create_app(), headers={"Accept-Language": language}) as browser:
            sign_in(browser, picked["inspector"].username)
            queue = browser.get("/reviews")
            assert queue.status_code == 200, queue.text
            assert expected in queue.text
            page = browser.get(f"/reviews/{picked['low'].id}")
            assert page.status_code == 200, page.text
            assert expected in page.text
            assert '{"msgid"' not in queue.text + page.text


def test_a_reason_stored_as_plain_text_still_shows_as_written(db_session, picked):
    legacy = picked["low"]
    legacy.reason = "flagged: 服务忌语 (forbidden_phrase)"  # written before reasons were messages
    db_session.commit()

    for language in ("en", "zh-CN"):
        assert _reason(picked["api"], legacy, language) == "flagged: 服务忌语 (forbidden_phrase)"


def test_a_scores_flag_reasons_read_in_each_readers_language(db_session):
    inspector, token = factories.user(db_session, "inspector")
    with use_language("en"):  # scored as a worker set to English would
        call = factories.scored_call(
            db_session, lines=UPSET, agent_id=factories.unique("A"), team="t"
        )
    review = Review(call_id=call.id, inspector_id=inspector.id, priority=0, reason="flagged")
    db_session.add(review)
    db_session.commit()
    api = TestClient(create_app(), headers={"Authorization": f"Bearer {token}"})

    def reasons(language: str) -> list[str]:
        answer = api.get(f"/api/v1/reviews/{review.id}", headers={"Accept-Language": language})
        assert answer.status_code == 200, answer.text
        return list(answer.json()["machine"]["reasons"])

    assert "Complaint, regulator, lawsuit or compensation mentioned (escalation_risk)" in (
        reasons("en")
    )
    assert "客户提及投诉、监管、诉讼或赔偿（escalation_risk）" in reasons("zh-CN")


def test_a_score_kept_with_plain_text_reasons_still_shows_them(db_session, picked):
    score = db_session.scalars(
        select(CallScore).where(CallScore.call_id == picked["flagged"].call_id)
    ).one()
    assert score.reasons == ["dead_air"]  # plain text, as scores made before kept them

    answer = picked["api"].get(
        f"/api/v1/reviews/{picked['flagged'].id}", headers={"Accept-Language": "zh-CN"}
    )

    assert answer.json()["machine"]["reasons"] == ["dead_air"]

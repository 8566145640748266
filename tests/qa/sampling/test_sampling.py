"""Sampling over a simulated month: 3 teams, 30 agents, a few thousand scored calls."""

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from services.calls.tables import Call
from services.qa.sampling import picks
from services.qa.sampling import service as sampling_service
from services.qa.sampling.schemas import PlanSpec
from services.scoring.tables import RuleHit
from tests import factories

MONTH_START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday
WEEKS = [MONTH_START + timedelta(weeks=i) for i in range(4)]


@pytest.fixture(scope="module")
def month(module_db):
    """30 agents in 3 teams (5 hired last month), 80 scored calls each over four weeks."""
    from services.db import session_scope

    rng = random.Random(7)
    agents = {f"A{i:02d}": f"team{i % 3}" for i in range(30)}
    new_hires = set(list(agents)[:5])
    risk: dict[int, str] = {}
    with session_scope() as db_session:
        for agent, team in agents.items():
            hired = date(2026, 10, 1) if agent in new_hires else date(2024, 3, 1)
            factories.user(
                db_session, "agent", password=None, agent_id=agent, team=team, hired_on=hired
            )
        for n in range(30 * 80):
            agent = list(agents)[n % 30]
            at = MONTH_START + timedelta(seconds=rng.randrange(28 * 86400))
            call = factories.call(
                db_session, agent_id=agent, team=agents[agent], queue="q", started_at=at,
                duration_s=rng.uniform(60, 600),
            )  # fmt: skip
            roll = rng.random()
            red, flagged = roll < 0.02, roll < 0.06
            reasons = ["red line: 服务忌语 (forbidden_phrase)"] if red else []
            factories.call_score(
                db_session, call, percent=0 if red else 80, flagged=flagged, auto_failed=red,
                reasons=reasons or (["escalation"] if flagged else []),
            )  # fmt: skip
            if flagged and not red:
                db_session.add(
                    RuleHit(
                        call_id=call.id,
                        pack="zh-service",
                        pack_version="v",
                        rule_id="escalation_risk",
                        category="escalation_risk",
                        severity="major",
                        role="customer",
                        start=1,
                        end=2,
                        turn_ids=[],
                        text="投诉",
                    )
                )
            if flagged:
                risk[call.id] = agent
    return agents, new_hires, risk


def _spec(**changes) -> PlanSpec:
    fields = {
        "name": "weekly",
        "period": "week",
        "per_agent": 3,
        "new_hire_per_agent": 5,
        "filters": {"teams": [f"team{i}" for i in range(3)]},
        "always": {"cap": 2},
        "seed": 42,
    }
    return PlanSpec(**{**fields, **changes})


def test_each_agent_gets_exactly_n_picks_more_for_new_hires_risk_first_within_the_cap(
    db_session, month
):
    agents, new_hires, risk = month
    plan = sampling_service.create_plan(db_session=db_session, spec=_spec())

    for week in WEEKS:
        stored, start, end, picks = sampling_service.run(
            db_session=db_session, plan=plan, at=week, dry_run=False, created_by="test"
        )
        per_agent = defaultdict(list)
        for p in picks:
            per_agent[p.agent_id].append(p)
        assert set(per_agent) == set(agents)
        for agent, chosen in per_agent.items():
            quota = 5 if agent in new_hires else 3
            risky_calls = [
                c for c, a in risk.items() if a == agent and _in(db_session, c, start, end)
            ]
            risky_picks = [p for p in chosen if p.kind == "risk"]
            assert len(risky_picks) == min(len(risky_calls), 2)
            assert len(chosen) == max(quota, len(risky_picks))
            assert len({p.call_id for p in chosen}) == len(chosen)
            assert all(p.reason for p in chosen)
        assert stored is not None and stored.period_start == start


def _in(db_session, call_id: int, start: datetime, end: datetime) -> bool:
    at = db_session.get(Call, call_id).started_at
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return start <= at < end


def test_the_same_seed_picks_the_same_calls_and_another_seed_others(db_session, month):
    plan = sampling_service.create_plan(db_session=db_session, spec=_spec())
    other = sampling_service.create_plan(db_session=db_session, spec=_spec(name="reseeded", seed=7))

    first = sampling_service.run(
        db_session=db_session, plan=plan, at=WEEKS[1], dry_run=True, created_by="t"
    )[3]
    again = sampling_service.run(
        db_session=db_session, plan=plan, at=WEEKS[1], dry_run=True, created_by="t"
    )[3]
    stored = sampling_service.run(
        db_session=db_session, plan=plan, at=WEEKS[1], dry_run=False, created_by="t"
    )[3]
    reseeded = sampling_service.run(
        db_session=db_session, plan=other, at=WEEKS[1], dry_run=True, created_by="t"
    )[3]

    assert first == again == stored
    assert {p.call_id for p in first if p.kind == "random"} != {
        p.call_id for p in reseeded if p.kind == "random"
    }
    assert (
        sampling_service.run(
            db_session=db_session, plan=plan, at=WEEKS[1], dry_run=False, created_by="t"
        )[3]
        == stored
    )


def test_random_picks_are_spread_over_the_period():
    start, end = picks.period_bounds("week", WEEKS[0])
    spec = PlanSpec(name="spread", per_agent=3, new_hire_per_agent=3, always={"cap": 0})
    # Most calls on Monday, a few later: an unspread sample would be all Monday.
    calls = [picks.Candidate(i, "A", start + timedelta(hours=i % 20)) for i in range(60)]
    calls += [picks.Candidate(100 + i, "A", start + timedelta(days=3 + i)) for i in range(4)]

    chosen = picks.pick(calls, spec=spec, quotas={"A": 3}, start=start, end=end)

    thirds = Counter(
        int((next(c.at for c in calls if c.call_id == p.call_id) - start) / ((end - start) / 3))
        for p in chosen
    )
    assert sorted(thirds) == [0, 1, 2]


def test_filters_and_the_schedule(db_session, month):
    agents, *_ = month
    team0 = "team0"
    spec = _spec(name="team0", filters={"teams": [team0]})
    plan = sampling_service.create_plan(db_session=db_session, spec=spec)

    picks = sampling_service.run(
        db_session=db_session, plan=plan, at=WEEKS[2], dry_run=True, created_by="t"
    )[3]
    first = sampling_service.run_due(db_session=db_session, now=WEEKS[3] + timedelta(days=1))
    second = sampling_service.run_due(db_session=db_session, now=WEEKS[3] + timedelta(days=1))

    assert {agents[p.agent_id] for p in picks} == {team0}
    assert first and second == []


def test_sampling_api_is_for_managers(client, client_as, month):
    body = _spec().model_dump(mode="json")

    created = client.post("/api/v1/sampling/plans", json=body)
    dry = client.post(
        f"/api/v1/sampling/plans/{created.json()['id']}/runs",
        json={"at": WEEKS[0].isoformat(), "dry_run": True},
    )
    real = client.post(
        f"/api/v1/sampling/plans/{created.json()['id']}/runs", json={"at": WEEKS[0].isoformat()}
    )

    assert created.status_code == 201 and dry.json()["id"] is None and dry.json()["picks"]
    assert (
        client.get(f"/api/v1/sampling/runs/{real.json()['id']}").json()["picks"]
        == dry.json()["picks"]
    )
    assert client.post("/api/v1/sampling/plans", json=body).status_code == 409  # same name
    assert (
        client.post(
            "/api/v1/sampling/plans", json={**body, "name": "x", "per_agent_cap": 1}
        ).status_code
        == 422
    )
    agent = client_as("agent", agent_id="SAMPLE-A")
    assert agent.get("/api/v1/sampling/plans").status_code == 403
    assert client.get("/api/v1/sampling/runs/999999999").status_code == 404

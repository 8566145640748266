"""The month rollup and the score bins give what the days and the scores give: a period is
read as whole months plus the days around them, and a rescored call moves in both."""

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import insert, text

from services.calls.tables import Call
from services.reports import rollup, service
from services.reports.months import cut, next_month
from services.reports.performance import team_performance
from services.reports.rows import rule_rows
from services.scoring.tables import CallScore, RuleStatus
from tests.reports.seed import SHANGHAI, folded
from tests.reports.seed_coaching import (
    FIRST_MONDAY,
    RULE,
    CoachedCenter,
    call_row,
    score_row,
    seed_coached_center,
    status_row,
)

D = date


@pytest.mark.parametrize(
    ("first", "last", "months", "days"),
    [
        (D(2025, 4, 1), D(2025, 6, 30), (D(2025, 4, 1), D(2025, 6, 1)), ()),
        (
            D(2025, 3, 15),
            D(2025, 5, 10),
            (D(2025, 4, 1), D(2025, 4, 1)),
            ((D(2025, 3, 15), D(2025, 3, 31)), (D(2025, 5, 1), D(2025, 5, 10))),
        ),
        (D(2025, 4, 2), D(2025, 4, 20), None, ((D(2025, 4, 2), D(2025, 4, 20)),)),
        (D(2024, 2, 1), D(2024, 2, 29), (D(2024, 2, 1), D(2024, 2, 1)), ()),
        (D(2024, 2, 1), D(2024, 2, 28), None, ((D(2024, 2, 1), D(2024, 2, 28)),)),
        (
            D(2024, 12, 31),
            D(2025, 1, 31),
            (D(2025, 1, 1), D(2025, 1, 1)),
            ((D(2024, 12, 31), D(2024, 12, 31)),),
        ),
    ],
)
def test_a_period_is_its_whole_months_and_the_days_around_them(first, last, months, days):
    period = cut(first, last)

    whole = (period.first_month, period.last_month)
    assert (whole if period.first_month <= period.last_month else None) == months
    assert period.day_spans == days


def test_next_month_crosses_the_year_and_short_months():
    assert next_month(D(2025, 12, 1)) == D(2026, 1, 1)
    assert next_month(D(2025, 1, 1)) == D(2025, 2, 1)
    assert next_month(D(2024, 2, 1)) == D(2024, 3, 1)


@pytest.fixture(scope="module")
def center() -> CoachedCenter:
    """Two teams over nine weeks from 7 March 2022 to 8 May 2022: April whole, two part months."""
    return folded(seed_coached_center)


def _counts(db_session, scope: service.Filter, *, by_month: bool) -> dict:
    source, params = rule_rows(scope, by_month=by_month)
    rows = db_session.execute(
        text(
            "SELECT r.agent_id, r.rule_id, min(r.category), sum(r.violations), "  # noqa: S608
            f"sum(r.opportunities) FROM ({source}) r GROUP BY 1, 2"
        ),
        params,
    ).all()
    return {(agent, rule): (category, int(v), int(n)) for agent, rule, category, v, n in rows}


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (FIRST_MONDAY, D(2022, 5, 8)),  # part of March, April, part of May
        (D(2022, 3, 1), D(2022, 4, 30)),  # whole months only
        (D(2022, 4, 3), D(2022, 4, 17)),  # days only
    ],
)
def test_months_and_days_count_what_the_days_alone_count(db_session, center, first, last):
    for team in (center.team_a, center.team_b):
        scope = service.Filter(first, last, team=team)

        by_month = _counts(db_session, scope, by_month=True)

        assert by_month == _counts(db_session, scope, by_month=False)
        assert len(by_month) == 6
        assert all(n > 0 for _category, _v, n in by_month.values())


def test_a_rescored_call_moves_in_the_month_as_in_its_day(db_session, center):
    april = service.Filter(D(2022, 4, 1), D(2022, 4, 30), team=center.team_a)
    before = _counts(db_session, april, by_month=True)[(f"{center.team_a}0", RULE)]
    call_id = db_session.execute(
        text(
            "SELECT c.id FROM calls c JOIN hits h ON h.call_id = c.id WHERE c.agent_id = :agent "
            "AND c.started_at >= :lo ORDER BY c.started_at LIMIT 1"
        ),
        {"agent": f"{center.team_a}0", "lo": datetime(2022, 4, 4, tzinfo=UTC)},
    ).scalar_one()
    # A newer pack version scores the call again: it passes now.
    rescore = {**score_row(call_id, False), "pack_version": "2"}
    db_session.execute(insert(CallScore), [rescore])
    db_session.execute(insert(RuleStatus), [{**status_row(call_id, False), "pack_version": "2"}])
    rollup.catch_up(db_session)
    db_session.commit()

    after = _counts(db_session, april, by_month=True)

    assert after[(f"{center.team_a}0", RULE)] == (before[0], before[1] - 1, before[2])
    assert after == _counts(db_session, april, by_month=False)


def test_the_score_bins_hold_each_current_score_once(db_session) -> None:
    team = "bins"
    day = D(2022, 6, 15)
    percents = [0, 9.99, 10, 55, 99.9, 100, 100, None]
    started = datetime.combine(day, time(10), SHANGHAI).astimezone(UTC)
    ids = db_session.scalars(
        insert(Call).returning(Call.id),
        [call_row(f"{team}-{i}", team, started) for i in range(len(percents))],
    ).all()
    scores = [{**score_row(i, False), "percent": p} for i, p in zip(ids, percents, strict=True)]
    # The first call's older score (pack version 0) is not its current one: not counted.
    scores.append({**score_row(ids[0], False), "pack_version": "0", "percent": 75})
    db_session.execute(insert(CallScore), scores[-1:])
    db_session.execute(insert(CallScore), scores[:-1])
    rollup.catch_up(db_session)
    db_session.commit()
    (performance,) = team_performance(db_session, service.Filter(day, day, team=team))

    assert performance.distribution == [2, 1, 0, 0, 0, 1, 0, 0, 0, 3]
    assert performance.calls == len(percents)


# Three months after these hire dates: 15 April (mid-month), 1 April (a month's first day),
# 20 March (mid-month, a part month of the first period, a whole month of the second).
HIRED = {"0": D(2022, 1, 15), "1": D(2022, 1, 1), "2": D(2021, 12, 20)}


def _bands(db_session, scope: service.Filter, **how: bool) -> dict:
    source, params = rule_rows(scope, **how)
    rows = db_session.execute(
        text(
            f"SELECT r.agent_id, {service.DIMENSIONS['tenure']}, sum(r.violations), "  # noqa: S608
            f"sum(r.opportunities) FROM ({source}) r {service.HIRED} GROUP BY 1, 2"
        ),
        params,
    ).all()
    return {(agent, band): (int(v), int(n)) for agent, band, v, n in rows}


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (FIRST_MONDAY, D(2022, 5, 8)),
        (D(2022, 3, 1), D(2022, 4, 30)),
        (D(2022, 4, 3), D(2022, 4, 17)),
    ],
)
def test_tenure_bands_from_months_split_where_an_agents_band_changes(
    db_session, center, first, last
) -> None:
    if not db_session.execute(
        text("SELECT 1 FROM users WHERE agent_id = :agent"), {"agent": f"{center.team_a}0"}
    ).first():
        db_session.execute(
            text(
                "INSERT INTO users (username, role, team, agent_id, active, hired_on, created_at) "
                "VALUES (:agent, 'agent', :team, :agent, true, :hired, now())"
            ),
            [
                {"agent": f"{center.team_a}{a}", "team": center.team_a, "hired": hired}
                for a, hired in HIRED.items()
            ],
        )
        db_session.commit()
    scope = service.Filter(first, last, team=center.team_a)

    by_month = _bands(db_session, scope, tenure=True)

    assert by_month == _bands(db_session, scope, by_month=False)
    bands = {band for agent, band in by_month if agent == f"{center.team_a}0"}
    assert bands == {service.NEW_HIRE, service.TENURED}  # before and after 15 April
    assert {band for agent, band in by_month if agent.endswith("5")} == {service.NO_HIRE_DATE}

"""The rule rows a report sums, read from the month rollup where whole months allow it and from
the daily one elsewhere; each row is (day, agent_id, team, rule_id, category, opportunities,
violations), ``day`` being a month's first day on a month row."""

from datetime import date
from typing import Any, Protocol

from services.reports import months


class Scope(Protocol):
    """What these rows need of a report's filter (service.Filter)."""

    @property
    def first(self) -> date:
        """The period's first day."""

    @property
    def last(self) -> date:
        """The period's last day."""

    def who(self, alias: str) -> tuple[str, dict[str, Any]]:
        """The team and agent conditions on table ``alias``, and their parameters."""


COLUMNS = "agent_id, team, rule_id, category, opportunities, violations"
# Each agent id's hire date (two users may carry one agent id: a person and an integration).
HIRE_DATES = (
    "(SELECT agent_id, min(hired_on) AS hired_on FROM users "
    "WHERE agent_id IS NOT NULL GROUP BY agent_id)"
)
# The day an agent of hire dates u stops being a new hire (three months after the hire date).
TENURED_FROM = "(u.hired_on + interval '3 months')"


def rule_rows(
    scope: Scope, *, by_month: bool = True, tenure: bool = False
) -> tuple[str, dict[str, Any]]:
    """SQL of the scope's rule rows and its parameters: the period's whole months from the
    month rollup, the days around them from the daily one (all days when ``by_month`` is
    false).

    With ``tenure`` the rows are the ones a tenure band can be told from by their ``day``: a
    month in which an agent's third month ends holds days of both bands, so that agent's
    month is read by its days.
    """
    period = months.cut(scope.first, scope.last) if by_month else None
    spans = period.day_spans if period else ((scope.first, scope.last),)
    parts = []
    params: dict[str, Any] = {}
    who_d, params = scope.who("d")
    if period and period.first_month <= period.last_month:
        who, more = scope.who("m")
        params.update(more)
        params.update(first_month=period.first_month, last_month=period.last_month)
        whole = f"m.month BETWEEN :first_month AND :last_month{who}"
        if tenure:
            parts.append(
                f"SELECT m.month AS day, {_of('m')} FROM report_rule_months m "  # noqa: S608 - fixed fragments
                f"LEFT JOIN {HIRE_DATES} u ON u.agent_id = m.agent_id WHERE {whole} "
                f"AND NOT coalesce(date_trunc('month', {TENURED_FROM}) = m.month "
                f"AND {TENURED_FROM} > m.month, false)"
            )
            # The days of those months, by the agent-and-day index: a few hundred rows.
            parts.append(
                f"SELECT d.day, {_of('d')} FROM {HIRE_DATES} u "  # noqa: S608 - fixed fragments
                f"JOIN report_rule_days d ON d.agent_id = u.agent_id "
                f"AND d.day >= date_trunc('month', {TENURED_FROM}) "
                f"AND d.day < date_trunc('month', {TENURED_FROM}) + interval '1 month' "
                f"WHERE date_trunc('month', {TENURED_FROM}) BETWEEN :first_month AND :last_month "
                f"AND {TENURED_FROM} > date_trunc('month', {TENURED_FROM}){who_d}"
            )
        else:
            parts.append(
                f"SELECT m.month AS day, {COLUMNS} FROM report_rule_months m WHERE {whole}"  # noqa: S608 - fixed fragments
            )
    if spans:
        days = []
        for i, (first, last) in enumerate(spans):
            days.append(f"d.day BETWEEN :span_first_{i} AND :span_last_{i}")
            params.update({f"span_first_{i}": first, f"span_last_{i}": last})
        parts.append(
            f"SELECT d.day, {COLUMNS} FROM report_rule_days d "  # noqa: S608 - fixed fragments
            f"WHERE ({' OR '.join(days)}){who_d}"
        )
    return " UNION ALL ".join(parts), params


def _of(alias: str) -> str:
    # COLUMNS of one table where a join makes a bare name ambiguous.
    return ", ".join(f"{alias}.{column.strip()}" for column in COLUMNS.split(","))

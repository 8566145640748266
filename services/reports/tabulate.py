"""Report results as tables for export, with Chinese-first headings that carry the English."""

from collections.abc import Sequence

from services.reports.coaching import CoachingEffect
from services.reports.coachings import CoachingResult
from services.reports.exports import Cell, Table
from services.reports.pareto import ParetoRow
from services.reports.performance import InspectorLoad, TeamPerformance, TrendPoint
from services.reports.rates import TrainingNeed
from services.reports.spc import ControlChart

SIDES = {"above": "上方 above", "below": "下方 below"}


def pareto_table(rows: Sequence[ParetoRow], *, title: str) -> Table:
    """Category, count, share, cumulative share and whether it is one of the vital few."""
    return Table(
        title=title,
        columns=[
            "类别 Category",
            "次数 Count",
            "占比 Share",
            "累计占比 Cumulative",
            "关键少数 Vital few",
        ],
        rows=[[r.category, r.count, r.share, r.cumulative, r.vital] for r in rows],
        percent_columns=frozenset({2, 3}),
        chart="pareto",
    )


def control_chart_table(chart: ControlChart, *, title: str) -> Table:
    """Each point with its n, value, center line, limits, σ and the rules it breaks."""
    broken: dict[int, list[str]] = {}
    for s in chart.signals:
        broken.setdefault(s.index, []).append(f"{s.rule} {SIDES[s.side]}")
    # Columns 2–5 are the series of the native chart (see exports._control_chart).
    rows: list[list[Cell]] = [
        [
            chart.labels[i],
            chart.n[i],
            chart.values[i],
            chart.center[i],
            chart.lcl[i],
            chart.ucl[i],
            chart.sigma[i],
            "; ".join(broken.get(i, [])),
        ]
        for i in range(len(chart.values))
    ]
    percent = frozenset({2, 3, 4, 5}) if chart.kind in ("p", "laney-p") else frozenset()
    return Table(
        title=title,
        columns=[
            "点 Point",
            "样本量 n",
            "值 Value",
            "中心线 CL",
            "下控制限 LCL",
            "上控制限 UCL",
            "σ",
            "判异规则 Western Electric rules",
        ],
        rows=rows,
        percent_columns=percent,
        chart="control",
    )


def training_needs_table(needs: Sequence[TrainingNeed], *, title: str) -> Table:
    """Each group's rate for a rule, its 95 % interval, the center's rate and the gap."""
    return Table(
        title=title,
        columns=[
            "规则 Rule",
            "维度 Dimension",
            "组 Group",
            "违规 Violations",
            "通话 Calls",
            "违规率 Rate",
            "95% 下限 Low",
            "95% 上限 High",
            "中心基线 Center rate",
            "差距 Gap (low − center)",
            "培训需求 Need",
        ],
        rows=[
            [
                t.rule,
                t.dimension,
                t.group,
                t.rate.count,
                t.rate.n,
                t.rate.rate,
                t.rate.low,
                t.rate.high,
                t.baseline,
                t.gap,
                t.is_need,
            ]
            for t in needs
        ],
        percent_columns=frozenset({5, 6, 7, 8, 9}),
    )


def coaching_table(effect: CoachingEffect, *, title: str) -> Table:
    """The coaching effect, its interval, the four rates and n, one measure a row."""
    rows: list[list[Cell]] = [
        ["效应 Effect: (coached after/before) / (control after/before) − 1", effect.effect],
        ["95% 下限 Low", effect.low],
        ["95% 上限 High", effect.high],
        ["受辅导 辅导前 Coached, before", effect.coached_before],
        ["受辅导 辅导后 Coached, after", effect.coached_after],
        ["对照 辅导前 Control, before", effect.control_before],
        ["对照 辅导后 Control, after", effect.control_after],
        ["受辅导坐席 Coached agents", effect.coached_agents],
        ["对照坐席 Control agents", effect.control_agents],
        ["通话 Calls", effect.calls],
    ]
    return Table(title=title, columns=["指标 Measure", "值 Value"], rows=rows)


def coachings_table(results: Sequence[CoachingResult], *, title: str) -> Table:
    """One coaching a row: when, who, which rules, and its effect with its interval and n, or
    why there is none yet."""
    rows: list[list[Cell]] = []
    for r in results:
        c, e = r.coaching, r.effect
        measures: list[Cell] = [*([None] * 10), r.reason or ""]
        if e is not None:
            measures = [e.effect, e.low, e.high, e.coached_before, e.coached_after]
            measures += [e.control_before, e.control_after, e.coached_agents, e.control_agents]
            measures += [e.calls, ""]
        rows.append([c.id, c.coached_on.isoformat(), " ".join(c.agent_ids), " ".join(c.rule_ids)])
        rows[-1].extend(measures)
    return Table(
        title=title,
        columns=[
            "编号 Id",
            "辅导日 Coached on",
            "坐席 Agents",
            "规则 Rules",
            "效应 Effect",
            "95% 下限 Low",
            "95% 上限 High",
            "受辅导 辅导前 Coached, before",
            "受辅导 辅导后 Coached, after",
            "对照 辅导前 Control, before",
            "对照 辅导后 Control, after",
            "受辅导坐席 Coached agents",
            "对照坐席 Control agents",
            "通话 Calls",
            "说明 Note",
        ],
        rows=rows,
        percent_columns=frozenset(range(4, 11)),
    )


def team_performance_tables(
    teams: Sequence[TeamPerformance], inspectors: Sequence[InspectorLoad], weeks: Sequence[str]
) -> list[Table]:
    """The teams' summary, their score distribution, their weekly mean scores, and the
    inspectors' workload: a sheet each in XLSX (the summary alone in CSV)."""
    summary = Table(
        title="团队绩效 Team performance",
        columns=[
            "团队 Team",
            "通话 Calls",
            "平均分 Mean score",
            "标准差 SD",
            "标记占比 Flagged share",
            "申诉 Disputes raised",
            "申诉改判 Disputes overturned",
            "处罚阶梯 Ladder steps",
        ],
        rows=[_team_row(t) for t in teams],
        percent_columns=frozenset({4}),
    )
    bins = [f"{10 * i}–{10 * (i + 1)}%" for i in range(len(teams[0].distribution))] if teams else []
    distribution = Table(
        title="得分分布 Score distribution",
        columns=["团队 Team", *bins],
        rows=[[t.team, *t.distribution] for t in teams],
    )
    means: list[list[Cell]] = [[t.team, *(t.weekly_mean.get(w) for w in weeks)] for t in teams]
    trend = Table(title="每周平均分 Weekly mean score", columns=["团队 Team", *weeks], rows=means)
    workload = Table(
        title="质检员工作量 Inspector workload",
        columns=["质检员 Inspector", "分配 Assigned", "已提交 Submitted"],
        rows=[[i.inspector, i.assigned, i.submitted] for i in inspectors],
    )
    return [summary, distribution, trend, workload]


def agent_trend_table(points: Sequence[TrendPoint], *, title: str) -> Table:
    """An agent's weeks: calls, mean score, flagged and violating shares."""
    return Table(
        title=title,
        columns=[
            "周 Week",
            "通话 Calls",
            "平均分 Mean score",
            "标记占比 Flagged share",
            "违规占比 Violating share",
        ],
        rows=[[p.week, p.calls, p.mean_score, p.flagged_share, p.violating_share] for p in points],
        percent_columns=frozenset({3, 4}),
    )


def _team_row(t: TeamPerformance) -> list[Cell]:
    share, mean, sd = t.flagged_share, t.mean_score, t.sd_score
    return [
        t.team,
        t.calls,
        mean,
        sd,
        share,
        t.disputes_raised,
        t.disputes_overturned,
        t.ladder_steps,
    ]

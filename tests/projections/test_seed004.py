"""Golden tests for preset 004: district agencies' appraisal, business-environment part.

Seed: shared/seeds/004_5e9db7fd8513e5ee.txt (附件1 指标, 评分标准).
"""

from __future__ import annotations

from typing import Any

import pytest

from projections import check_fact, explain, load_preset, score
from projections.errors import FactError
from projections.facts import DeadlineClosed, Submission
from projections.rulebook import Rulebook
from tests.projections.builders import D, Log, component_index, edit

BASE = load_preset("004")


def with_tasks(tasks: list[dict[str, Any]]) -> Rulebook:
    return edit(BASE, ["components", component_index(BASE, "tasks"), "rule", "tasks"], tasks)


TASKS = with_tasks(
    [
        {"key": "T1", "assigned": {"B01": "lead", "B02": "supporting", "B04": "lead"}},
        {"key": "T2", "assigned": {"B01": "supporting", "B03": "lead", "B04": "lead"}},
        {"key": "T3", "assigned": {"B03": "supporting"}},
    ]
)


def test_the_seed_names_35_category_one_units() -> None:
    # "活动参与单位第一类共35个"
    assert len(BASE.units) == 35 and BASE.units[0].name.zh == "区委组织部"


def test_lead_weight_1_supporting_weight_half() -> None:
    # "完成任务得分由所有任务的加权平均;其中牵头任务权重为1,配合任务权重为0.5"
    # B01: T1 lead done (1), T2 supporting 75% (pro rata 0.75):
    #      60 x (1 x 1 + 0.5 x 0.75) / 1.5 = 60 x 1.375 / 1.5 = 55
    log = Log()
    log.task("B01", "tasks", "T1", done_on_schedule=True)
    log.task("B01", "tasks", "T2", percent=D("75"))
    assert score(TASKS, log.facts).unit("B01").score("tasks") == D("55.00")


def test_under_60_percent_scores_0_and_60_to_100_pro_rata() -> None:
    # "按时间节点整体完成60%以下的,该项任务不得分"; "完成率在60%-100%之间的,酌情给分" (setting: pro rata)
    log = Log()
    log.task("B02", "tasks", "T1", percent=D("59.9"))
    log.task("B03", "tasks", "T2", percent=D("60"))
    log.task("B03", "tasks", "T3", done_on_schedule=True)
    res = score(TASKS, log.facts)
    assert res.unit("B02").score("tasks") == D("0.00")
    # B03: lead 60% -> 0.6, supporting done -> 1: 60 x (0.6 + 0.5) / 1.5 = 44
    assert res.unit("B03").score("tasks") == D("44.00")


def test_from_threshold_is_the_alternative_reading() -> None:
    # partial: from_threshold -> 80% is halfway from 60 to 100: 0.5 of the task
    rb = edit(TASKS, ["components", 0, "rule", "partial"], "from_threshold")
    log = Log()
    log.task("B02", "tasks", "T1", percent=D("80"))
    assert score(rb, log.facts).unit("B02").score("tasks") == D("30.00")


def test_a_task_missing_from_the_score_sheet_counts_as_not_done() -> None:
    # "任务未在评分表中列出,视为未完成,该项任务不得分": B04 reports T1 only: 60 x 1 / 2 = 30
    log = Log()
    log.task("B04", "tasks", "T1", done_on_schedule=True)
    res = score(TASKS, log.facts)
    assert res.unit("B04").score("tasks") == D("30.00")
    lines = explain(TASKS, log.facts, "B04").components[0].lines
    assert any("missing from the score sheet" in ln.note for ln in lines)


def test_a_system_in_debugging_counts_as_done() -> None:
    # "涉及系统开发工作的进入调试阶段视同任务完成"
    log = Log()
    log.task("B02", "tasks", "T1", system_in_debugging=True)
    assert score(TASKS, log.facts).unit("B02").score("tasks") == D("60.00")


def test_a_unit_with_no_assigned_task_gets_the_average() -> None:
    # setting not_assessed: average over assessed units: B01 60, B02 0, B03 0, B04 0 -> 15
    log = Log()
    log.task("B01", "tasks", "T1", done_on_schedule=True)
    log.task("B01", "tasks", "T2", done_on_schedule=True)
    assert score(TASKS, log.facts).unit("B05").score("tasks") == D("15.00")


def test_a_report_for_an_unassigned_task_is_refused_on_append() -> None:
    log = Log()
    fact = log.task("B05", "tasks", "T1", done_on_schedule=True)
    with pytest.raises(FactError, match="not assigned to unit 'B05'"):
        check_fact(TASKS, fact)


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        # "未建立'一把手'责任制,扣4分" (meetings not deducted again); measures complete: 10 - 4 = 6
        (
            {
                "head_responsible": False,
                "progress_meetings": False,
                "measures": True,
                "departments_named": True,
                "schedule": True,
                "milestones": True,
            },
            "6.00",
        ),
        # "明确'一把手'责任,未定期召开工作推进会议,扣2分": 10 - 2 = 8
        (
            {
                "head_responsible": True,
                "progress_meetings": False,
                "measures": True,
                "departments_named": True,
                "schedule": True,
                "milestones": True,
            },
            "8.00",
        ),
        # "明确'一把手'责任,未出台细化措施,不得分" (the 6 of measures): 10 - 6 = 4
        ({"head_responsible": True, "progress_meetings": True, "measures": False}, "4.00"),
        # "未明确部门责任扣2分,未明确时序进度扣2分,未明确目标节点,扣2分": 10 - 2 - 2 = 6
        (
            {
                "head_responsible": True,
                "progress_meetings": True,
                "measures": True,
                "departments_named": True,
                "schedule": False,
                "milestones": False,
            },
            "6.00",
        ),
        # everything in place: 10
        (
            {
                "head_responsible": True,
                "progress_meetings": True,
                "measures": True,
                "departments_named": True,
                "schedule": True,
                "milestones": True,
            },
            "10.00",
        ),
        # nothing recorded: every item absent: -4 and -6 -> 0
        ({}, "0.00"),
    ],
)
def test_planning_checklist(results: dict[str, bool], expected: str) -> None:
    log = Log()
    for item, present in results.items():
        log.check("B01", "planning", item, present)
    assert score(BASE, log.facts).unit("B01").score("planning") == D(expected)


def test_implementation_minus_2_per_task_off_schedule_and_late_report() -> None:
    # "未按时间表、路线图推进工作任务,每项工作扣2分"; "逾期一次扣2分": 15 - 2 x 2 - 2 = 9
    log = Log()
    log.item("B01", "implementation", "task_off_schedule", count=2)
    log.item("B01", "implementation", "late_report")
    log.item("B02", "implementation", "late_report", count=9)  # -18 stops at 0
    res = score(BASE, log.facts)
    assert res.unit("B01").score("implementation") == D("9.00")
    assert res.unit("B02").score("implementation") == D("0.00")
    assert res.unit("B03").score("implementation") == D("15.00")


def test_publicity_3_plus_3() -> None:
    # "制定引导市民网上办事的办法和措施,得3分; 在部门网站公开优化营商环境政策措施,得3分"
    log = Log()
    log.check("B01", "publicity", "online_guidance", True)
    log.check("B01", "publicity", "website_policies", False)
    assert score(BASE, log.facts).unit("B01").score("publicity") == D("3.00")


def test_learning_plus_1_each_capped_at_4() -> None:
    # "每次得1分...得分累计不超过4分": 3 visits + 2 trainings = 5 -> 4
    log = Log()
    log.item("B01", "learning", "study_visit", count=3)
    log.item("B01", "learning", "expert_training", count=2)
    log.item("B02", "learning", "expert_training")
    res = score(BASE, log.facts)
    assert res.unit("B01").score("learning") == D("4.00")
    assert res.unit("B02").score("learning") == D("1.00")


def test_late_materials_forfeit_the_appraisal() -> None:
    # "逾期未报送视为放弃考核"
    log = Log()
    log.add(Submission(**log.next_meta(), unit="B01", deadline="materials", on_time=False))
    log.add(Submission(**log.next_meta(), unit="B02", deadline="materials", on_time=True))
    res = score(BASE, log.facts)
    b01 = res.unit("B01")
    assert b01.forfeit is not None and b01.rank is None and "late" in b01.forfeit.reason
    assert res.unit("B02").rank is not None
    # no submission yet, deadline not closed: not forfeited
    assert res.unit("B03").forfeit is None
    log.add(DeadlineClosed(**log.next_meta(), deadline="materials"))
    res = score(BASE, log.facts)
    assert res.unit("B03").forfeit is not None and res.unit("B03").rank is None
    assert res.unit("B02").forfeit is None
    forfeited = [u for u in res.tables[0].units[-34:] if res.unit(u).forfeit]
    assert len(forfeited) == 34  # forfeited units are listed after the ranked ones


def test_total_is_the_95_points_the_seed_gives() -> None:
    # 60 + 10 + 15 + 6 + 4 = 95 (item 7 is cut off in the seed's copy)
    log = Log()
    for item in (
        "head_responsible",
        "progress_meetings",
        "measures",
        "departments_named",
        "schedule",
        "milestones",
    ):
        log.check("B03", "planning", item, True)
    for item in ("online_guidance", "website_policies"):
        log.check("B03", "publicity", item, True)
    log.item("B03", "learning", "study_visit", count=4)
    log.task("B03", "tasks", "T2", done_on_schedule=True)
    log.task("B03", "tasks", "T3", done_on_schedule=True)
    assert score(TASKS, log.facts).unit("B03").total == D("95.00")

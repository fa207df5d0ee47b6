"""Seed 004: a district's appraisal of agencies, business-environment part (2021, category one).

The preset's 35 bureaus, with the district plan's 20 tasks filled in (the
preset leaves ``tasks`` empty for each campaign to fill; four units have no
task and get the average):

- task completion: each unit's representative reports its own tasks (done on
  schedule, a system in debugging, or percent done), some tasks are missing
  from the score sheet; the office checks a sample and re-records what it
  found (the later report replaces the unit's);
- planning and publicity checklists, recorded by the office after reviewing
  each unit's documents;
- implementation (counted from 15): tasks off schedule and late progress
  reports, counted by the office;
- learning (cap 4): study visits and expert trainings claimed by units with
  evidence and approved by the office (one unit claims 5 and is capped);
- the materials deadline (2022-01-14): submissions recorded by the office, one
  late (forfeits at once), one missing (forfeits when the deadline closes).

B16 appeals the office's finding that one of its tasks was only 50% done
(under the 60% threshold: 0); the inspector partly upholds it at 75%.
B05's inputs are fixed: 55.2 + 10 + 13 + 6 + 3 = 87.2.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.entry import Submission
from pingyi.schemes_base import SchemeRun
from projections.presets import load_preset
from projections.rulebook import Rulebook, rulebook_document, rulebook_from_data

REFERENCE = "B05"
#: The district plan's tasks: (key, label, lead, supporting units).
PLAN: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("T01", "优化营商环境三年行动方案年度任务", "B05", ("B14", "B23")),
    ("T02", "社会信用体系建设", "B05", ()),
    ("T03", "企业开办“一网通办”", "B10", ("B05", "B33", "B26")),
    ("T04", "工程建设项目审批制度改革", "B16", ("B09", "B34", "B35")),
    ("T05", "不动产登记“一窗受理”", "B09", ("B33", "B26")),
    ("T06", "政务数据共享平台建设", "B22", ("B26", "B19")),
    ("T07", "“互联网+监管”系统应用", "B10", ("B08", "B21", "B24")),
    ("T08", "获得电力便利化", "B35", ("B16", "B08")),
    ("T09", "纳税服务“非接触式”办税", "B33", ("B14",)),
    ("T10", "中小企业融资服务", "B25", ("B14", "B27")),
    ("T11", "劳动力市场监管与就业服务", "B15", ("B28",)),
    ("T12", "执行合同与商事纠纷多元化解", "B30", ("B13", "B31")),
    ("T13", "政府采购与招投标领域专项整治", "B14", ("B10", "B26")),
    ("T14", "招商引资项目全程代办", "B23", ("B06", "B26")),
    ("T15", "科技企业孵化与知识产权保护", "B06", ("B10", "B13")),
    ("T16", "医保经办服务下沉", "B20", ("B21", "B11")),
    ("T17", "文旅市场准入便利化", "B18", ("B10",)),
    ("T18", "涉企信访问题化解", "B04", ("B32", "B12")),
    ("T19", "农业经营主体登记帮办", "B17", ("B10", "B07")),
    ("T20", "统计数据“一套表”联网直报", "B19", ("B02", "B29")),
)
PLANNING = (
    "head_responsible",
    "progress_meetings",
    "measures",
    "departments_named",
    "schedule",
    "milestones",
)
PUBLICITY = ("online_guidance", "website_policies")
LATE, MISSING = "B27", "B35"


class Seed004(SchemeRun):
    CAMPAIGN = "district-2021"
    TITLE = "2021年度区直机关绩效考核（优化营商环境专项，第一类单位）"
    REASON = (
        "区考核办印发绩效考核优化营商环境工作专项方案；任务清单依区优化营商环境实施方案（TEST）"
    )

    def make_rulebook(self) -> Rulebook:
        data = rulebook_document(load_preset("004"))
        tasks: list[dict[str, Any]] = []
        for key, label, lead, supporting in PLAN:
            assigned = {lead: "lead", **dict.fromkeys(supporting, "supporting")}
            tasks.append({"key": key, "label": {"zh": label, "en": label}, "assigned": assigned})
        data["components"][0]["rule"]["tasks"] = tasks
        data["notes"] = [
            *data["notes"],
            {
                "about": "components[0].rule.tasks",
                "text": "Tasks of the district's 2021 business-environment plan (TEST data).",
            },
        ]
        return rulebook_from_data(data)

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("staff keys registered 登记密钥", self.register_staff),
            (
                "rulebook (with the plan's tasks) adopted, campaign opened 通过规则并启动",
                self.open_campaign,
            ),
            ("materials handed in 报送评分表及佐证材料", self.submissions),
            ("deadline closed 截止报送", self.deadline),
            ("task reports by units 任务完成情况自报", self.task_reports),
            ("tasks checked by the office 考核办核查", self.task_checks),
            ("planning and publicity checklists 安排部署与措施发布", self.checklists),
            ("implementation deductions 部署实施扣分", self.implementation),
            ("learning claims approved 学习先进经验", self.learning),
            ("appeal filed and ruled 申诉与裁决", self.appeals),
            ("campaign closed 考核结束", self.close),
        ]

    def assignments(self) -> dict[str, list[tuple[str, str]]]:
        """unit -> [(task, role)] from the rulebook."""
        out: dict[str, list[tuple[str, str]]] = {u: [] for u in self.units}
        for key, _label, lead, supporting in PLAN:
            out[lead].append((key, "lead"))
            for unit in supporting:
                out[unit].append((key, "supporting"))
        return out

    # -- steps ------------------------------------------------------------------------------

    def submissions(self) -> None:
        # how well each bureau works (drives every spread below); B05 is fixed by hand
        self.quality = {u: self.rng.uniform(0.5, 0.95) for u in self.units}
        self.quality[REFERENCE] = 0.9
        subs = [
            self.sign(
                self.staff.office,
                "submission.record",
                self.payload(unit=unit, deadline="materials", on_time=unit != LATE),
            )
            for unit in self.units
            if unit != MISSING
        ]
        self.append_all(subs)

    def deadline(self) -> None:
        self.append(self.staff.office, "deadline.close", self.payload(deadline="materials"))

    def _report(self, signer_unit: str | None, unit: str, task: str, **state: Any) -> Submission:
        signer = self.staff.office if signer_unit is None else self.staff.reps[signer_unit]
        payload = self.payload(
            unit=unit,
            component="tasks",
            task=task,
            evidence=self.proof(f"{unit} {task} 台账与佐证 {state}", f"{unit}-{task}.pdf"),
            **state,
        )
        return self.sign(signer, "task.report", payload)

    def task_reports(self) -> None:
        subs = []
        self.found: dict[tuple[str, str], dict[str, Any]] = {}  # the latest report of each task
        for unit, tasks in self.assignments().items():
            for task, _role in tasks:
                if unit == REFERENCE:
                    state: dict[str, Any] = (
                        {"percent": "80"} if task == "T02" else {"done_on_schedule": True}
                    )
                elif self.rng.random() < 0.06:
                    continue  # missing from the unit's score sheet: not done
                elif task == "T06" and unit == "B22":
                    state = {"system_in_debugging": True}
                elif self.rng.random() < self.quality[unit]:
                    state = {"done_on_schedule": True}
                else:
                    state = {"percent": str(self.rng.choice((45, 55, 65, 70, 80, 85, 90, 95)))}
                self.found[(unit, task)] = state
                subs.append(self._report(unit, unit, task, **state))
        self.append_all(subs)

    def task_checks(self) -> None:
        # the office's sample check: what it found replaces the unit's own report
        checks: list[tuple[str, str, dict[str, Any]]] = [
            ("B16", "T04", {"percent": "50"}),
            ("B08", "T07", {"percent": "70"}),
            ("B21", "T16", {"done_on_schedule": True}),
            ("B24", "T07", {"percent": "40"}),
        ]
        subs = [self._report(None, unit, task, **state) for unit, task, state in checks]
        self.append_all(subs)
        self.outcome.marks["B16 task check"] = subs[0].id
        self.found.update(((unit, task), state) for unit, task, state in checks)

    def checklists(self) -> None:
        subs = []
        for unit in self.units:
            q = self.quality[unit]
            for component, items in (("planning", PLANNING), ("publicity", PUBLICITY)):
                for item in items:
                    present = unit == REFERENCE or self.rng.random() < q + 0.15
                    subs.append(
                        self.sign(
                            self.staff.office,
                            "checklist.record",
                            self.payload(
                                unit=unit, component=component, item=item, present=present
                            ),
                        )
                    )
        self.append_all(subs)

    def implementation(self) -> None:
        subs = []
        for unit, tasks in self.assignments().items():
            # a task not done on schedule, or missing from the score sheet, is off schedule
            found = [self.found.get((unit, task), {}) for task, _role in tasks]
            late = sum(
                1 for f in found if not (f.get("done_on_schedule") or f.get("system_in_debugging"))
            )
            counts = {
                "task_off_schedule": late,
                "late_report": 0 if unit == REFERENCE else self.rng.choice((0, 0, 0, 1, 1, 2)),
            }
            for item, count in counts.items():
                if count:
                    payload = self.payload(
                        unit=unit,
                        component="implementation",
                        item=item,
                        count=count,
                        note="考核办台账核查",
                    )
                    subs.append(self.sign(self.staff.office, "item.count", payload))
        self.append_all(subs)

    def learning(self) -> None:
        claims = [
            self.claim(REFERENCE, "learning", "study_visit", "赴先进地区参观学习报告两份", count=2),
            self.claim(REFERENCE, "learning", "expert_training", "专家授课通知及签到表"),
            self.claim("B26", "learning", "study_visit", "行政服务中心赴外地学习报告五份", count=5),
        ]
        for unit in self.rng.sample([u for u in self.units if u not in (REFERENCE, "B26")], 18):
            item = self.rng.choice(("study_visit", "expert_training"))
            count = self.rng.choice((1, 1, 2, 3))
            claims.append(
                self.claim(unit, "learning", item, f"{unit} {item} 佐证材料", count=count)
            )
        self.append_all(claims)
        self.append_all([self.approval(c) for c in claims])

    def appeals(self) -> None:
        self.appeal(
            "B16",
            self.outcome.marks["B16 task check"],
            "工程建设项目审批系统已于12月上线试运行，节点完成率应为75%，附系统截图与进度台账",
            "partly_upheld",
            "经核查进度台账，T04按时序完成75%，按比例计分",
            adjusted="75",
        )

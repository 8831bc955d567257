"""Generated demo dossiers: built with the domain's own constructors and state machines, so every record
obeys the rules, and with the events the handlers would have published.

Key units get full dossiers in varied states (filings pending, accepted, returned or missing; drills
and hazards overdue or not); proposed key units and a sample of other units lighter ones; the demo
unit 91210102MA0LN001X3 a complete, fixed one. Dates are relative to the day of seeding. Resident IDs
are generated (valid check characters from python-stdnum), never real.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final

from stdnum.cn import ric as stdnum_ric

from unit_registry.demo.places import GIVEN_CHARS, SURNAMES
from unit_registry.domain.dossier import (
    CHINA_TIME,
    Drill,
    DrillDraft,
    EmergencyPlan,
    EmergencyPlanDraft,
    FilingDraft,
    KeyPart,
    KeyPartDraft,
    ResponsiblePerson,
    ResponsiblePersonDraft,
    SecurityFiling,
    Workstation,
    WorkstationDraft,
)
from unit_registry.domain.enums import (
    AssessmentResult,
    ChangeKind,
    DeviceType,
    DossierSection,
    Employment,
    PartyKind,
    ResponsibleRole,
    Sector,
    Severity,
    SkillGrade,
    TrainingResult,
    UnitType,
)
from unit_registry.domain.events import (
    DomainEvent,
    DossierUpdated,
    DrillRecorded,
    FilingAccepted,
    FilingReturned,
    FilingSubmitted,
    HazardOpened,
    HazardRectified,
    HazardVerified,
    InformantReportFiled,
    InspectionRecorded,
    TrainingRecorded,
)
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.informants import Informant, InformantDraft, InformantReport, InformantReportDraft
from unit_registry.domain.inspections import Evidence, Hazard, HazardDraft, Inspection, InspectionDraft, Party
from unit_registry.domain.jurisdiction import PoliceStation
from unit_registry.domain.model import Actor, Unit
from unit_registry.domain.staff import (
    AssessmentDraft,
    CertificateDraft,
    StaffDraft,
    StaffMember,
    TrainingDraft,
    new_assessment,
    new_certificate,
    new_training,
)

POSITIONS: Final = (
    "保卫部部长",
    "保卫科科长",
    "保安队长",
    "保安班长",
    "监控值班员",
    "门岗保安员",
    "巡逻保安员",
    "消防控制室值班员",
)
COURSES: Final = (
    "保安员岗前培训",
    "治安防范知识培训",
    "消防安全培训",
    "反恐防范培训",
    "应急处置培训",
    "技防设施操作培训",
    "急救知识培训",
)
CERTIFICATES: Final = ("保安员证", "消防设施操作员证")
# Key parts every unit has, and those of some types: (name, where, protection, devices).
COMMON_PARTS: Final = (
    (
        "监控中心",
        "一层东侧",
        ("24小时值守", "出入登记"),
        (DeviceType.VIDEO_CAMERA, DeviceType.ACCESS_CONTROL),
    ),
    ("配电室", "地下一层", ("双人双锁", "定时巡查"), (DeviceType.VIDEO_CAMERA, DeviceType.INTRUSION_PANEL)),
    ("财务室", "三层", ("防盗门", "保险柜"), (DeviceType.INTRUSION_PANEL, DeviceType.ONE_BUTTON_ALARM)),
    ("消防控制室", "一层西侧", ("24小时双人值班",), (DeviceType.VIDEO_CAMERA,)),
    ("主出入口", "正门", ("门岗值守", "访客登记"), (DeviceType.VIDEO_CAMERA, DeviceType.ID_VERIFICATION)),
)
TYPE_PARTS: Final[dict[UnitType, tuple[tuple[str, str, tuple[str, ...], tuple[DeviceType, ...]], ...]]] = {
    UnitType.FINANCIAL_OUTLET: (
        ("金库", "地下一层", ("金库门", "双人双锁"), (DeviceType.INTRUSION_PANEL, DeviceType.VIDEO_CAMERA)),
        ("营业大厅", "一层", ("防弹玻璃隔断",), (DeviceType.VIDEO_CAMERA, DeviceType.ONE_BUTTON_ALARM)),
    ),
    UnitType.FUEL_STATION: (
        ("油罐区", "站区北侧", ("防撞墩", "围墙"), (DeviceType.PERIMETER_ALARM, DeviceType.VIDEO_CAMERA)),
        ("加油区", "站区", ("散装汽油实名登记",), (DeviceType.VIDEO_CAMERA, DeviceType.PLATE_RECOGNITION)),
    ),
    UnitType.HOSPITAL: (
        ("药品库", "二层", ("麻精药品双人双锁",), (DeviceType.INTRUSION_PANEL, DeviceType.VIDEO_CAMERA)),
        ("急诊大厅", "一层", ("警务室联动",), (DeviceType.VIDEO_CAMERA, DeviceType.ONE_BUTTON_ALARM)),
    ),
    UnitType.SCHOOL: (
        (
            "校门",
            "正门",
            ("硬质防冲撞设施", "上下学高峰护学岗"),
            (DeviceType.ONE_BUTTON_ALARM, DeviceType.VIDEO_CAMERA),
        ),
        ("实验室危化品柜", "实验楼", ("双人双锁",), (DeviceType.INTRUSION_PANEL,)),
    ),
    UnitType.HAZARDOUS_GOODS: (
        (
            "危化品仓库",
            "厂区东侧",
            ("实体围墙", "双人双锁"),
            (DeviceType.PERIMETER_ALARM, DeviceType.VIDEO_CAMERA),
        ),
    ),
    UnitType.POSTAL_EXPRESS: (
        (
            "分拣中心",
            "一层",
            ("收寄验视", "过机安检"),
            (DeviceType.VIDEO_CAMERA, DeviceType.TRAJECTORY_TERMINAL),
        ),
    ),
    UnitType.ENERGY_UTILITY: (
        ("主控室", "综合楼", ("24小时值守",), (DeviceType.ACCESS_CONTROL, DeviceType.VIDEO_CAMERA)),
        ("厂区周界", "四周", ("实体围墙", "巡逻"), (DeviceType.PERIMETER_ALARM,)),
    ),
}
PLANS: Final = (
    ("火灾事故应急预案", "火灾"),
    ("防范恐怖袭击应急预案", "暴恐袭击"),
    ("群体性事件处置预案", "群体性事件"),
    ("大客流疏散预案", "大客流"),
    ("盗窃抢劫事件处置预案", "盗抢"),
    ("停电事故应急预案", "停电"),
)
HAZARDS: Final = (
    ("消防通道被杂物堵塞", Severity.MEDIUM),
    ("部分监控摄像机故障，重点部位存在监控盲区", Severity.HIGH),
    ("周界报警装置失效", Severity.HIGH),
    ("部分保安员未持证上岗", Severity.MEDIUM),
    ("值班记录不完整", Severity.LOW),
    ("危险物品储存未落实双人双锁", Severity.CRITICAL),
    ("一键报警装置未与公安机关联网", Severity.HIGH),
    ("灭火器过期未更换", Severity.MEDIUM),
)
RETURN_REASONS: Final = (
    "专职保卫人员数量不足",
    "保卫机构负责人未明确",
    "缺少内部治安保卫制度文件",
    "技防设施清单不完整",
)
REPORTS: Final = (
    "发现有陌生人员多次在仓库周边徘徊",
    "有员工反映有人散布不实信息煽动聚集",
    "近期夜间周界多次出现异常翻越痕迹",
    "有外来车辆长时间停放在重点部位附近",
)
REGULATORS: Final[dict[Sector, str]] = {
    Sector.POSTAL: "邮政管理局",
    Sector.TRANSPORT: "交通运输局",
    Sector.COMMERCE: "商务局",
    Sector.HOUSING: "住房和城乡建设局",
    Sector.BANKING: "金融监督管理局",
    Sector.INSURANCE: "金融监督管理局",
    Sector.SECURITIES: "证监局",
    Sector.SASAC: "国有资产监督管理委员会",
    Sector.CULTURE_TOURISM: "文化旅游和广播电视局",
    Sector.HEALTH: "卫生健康委员会",
    Sector.EDUCATION: "教育局",
    Sector.ENERGY: "发展和改革委员会",
    Sector.TELECOM: "通信管理局",
}
# Unit types big enough for a police workstation (§16).
WORKSTATION_TYPES: Final = frozenset(
    {
        UnitType.TRANSPORT_HUB,
        UnitType.HOSPITAL,
        UnitType.LARGE_VENUE,
        UnitType.SCHOOL,
        UnitType.RESERVE_OR_TRADE_CENTRE,
        UnitType.URBAN_RAIL,
    }
)
NO_FLAGS: Final = DossierFlags()  # seeded events precede the sweep that computes the flags


@dataclass
class DemoDossier:
    """The records of one unit's dossier and the events announcing them."""

    unit: Unit
    filings: list[SecurityFiling] = field(default_factory=list)
    persons: list[ResponsiblePerson] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)
    informants: list[Informant] = field(default_factory=list)
    reports: list[InformantReport] = field(default_factory=list)
    key_parts: list[KeyPart] = field(default_factory=list)
    plans: list[EmergencyPlan] = field(default_factory=list)
    drills: list[Drill] = field(default_factory=list)
    workstations: list[Workstation] = field(default_factory=list)
    inspections: list[Inspection] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)

    def updated(
        self,
        section: DossierSection,
        item_id: uuid.UUID,
        actor: Actor,
        moment: datetime,
        item: ResponsiblePerson | KeyPart | None = None,
    ) -> None:
        """Announce an added item (dossier.updated; persons and key parts carried whole, as handlers do)."""
        self.events.append(
            DossierUpdated(self.unit, section, item_id, ChangeKind.ADDED, NO_FLAGS, actor, moment, item)
        )


def at(day: date, hour: int = 10) -> datetime:
    """A moment of a day in China."""
    return datetime.combine(day, time(hour), CHINA_TIME)


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def resident_id(rng: random.Random, region: str, today: date) -> str:
    """A valid generated resident ID: region, birth date 20-60 years back, serial, check character."""
    born = today - timedelta(days=rng.randint(20 * 365, 60 * 365))
    body = f"{region}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    # stdnum computes the check character from a full-length number: the placeholder is ignored.
    return body + str(stdnum_ric.calc_check_digit(body + "0"))


def mobile(rng: random.Random) -> str:
    """A mobile number."""
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


class DossierBuilder:
    """Adds records to one dossier through the domain, with their events."""

    def __init__(self, dossier: DemoDossier, rng: random.Random, today: date, actor: Actor) -> None:
        self.dossier = dossier
        self.rng = rng
        self.today = today
        self.actor = actor

    @property
    def unit(self) -> Unit:
        """The unit."""
        return self.dossier.unit

    def days_ago(self, low: int, high: int) -> date:
        """A day between `high` and `low` days ago."""
        return self.today - timedelta(days=self.rng.randint(low, high))

    def person(self, role: ResponsibleRole, name: str, position: str) -> None:
        """A responsible person."""
        when = self.days_ago(400, 1500)
        draft = ResponsiblePersonDraft(
            role, name, position, mobile(self.rng), "全面负责本单位内部治安保卫工作", when
        )
        person = ResponsiblePerson.create(self.unit.uscc, draft, at(when))
        self.dossier.persons.append(person)
        self.dossier.updated(DossierSection.RESPONSIBLE_PERSONS, person.id, self.actor, at(when), person)

    def staff_member(self, position: str, *, full_time: bool, certificate: str = "valid") -> StaffMember:
        """A staff member with a certificate ("valid", "expiring", "expired" or "none") and some records."""
        rng, today = self.rng, self.today
        hired = self.days_ago(200, 3000)
        draft = StaffDraft(
            name=person_name(rng),
            resident_id=resident_id(rng, self.unit.jurisdiction, today),
            phone=mobile(rng),
            employment=Employment.FULL_TIME if full_time else Employment.PART_TIME,
            position=position,
            skill_grade=rng.choice((None, *SkillGrade)),
            hired_on=hired,
        )
        member = StaffMember.create(self.unit.uscc, draft, at(hired))
        self.dossier.staff.append(member)
        self.dossier.updated(DossierSection.STAFF, member.id, self.actor, at(hired))
        if certificate != "none":
            expires = {
                "valid": today + timedelta(days=rng.randint(200, 1500)),
                "expiring": today + timedelta(days=rng.randint(5, 50)),
                "expired": today - timedelta(days=rng.randint(1, 200)),
            }[certificate]
            issued = min(self.days_ago(30, 1000), expires - timedelta(days=365))
            record = new_certificate(
                CertificateDraft(
                    CERTIFICATES[0], f"辽{rng.randint(10**9, 10**10 - 1)}", "辽宁省公安厅", issued, expires
                ),
                today,
            )
            member.add_record(record, at(issued))
            self.dossier.updated(DossierSection.CERTIFICATES, record.id, self.actor, at(issued))
        for _ in range(rng.randint(0, 3)):
            day = self.days_ago(10, 700)
            training = new_training(
                TrainingDraft(
                    day,
                    rng.choice(COURSES),
                    float(rng.choice((4, 8, 16, 40))),
                    rng.choice((TrainingResult.PASSED, TrainingResult.ATTENDED, TrainingResult.PASSED)),
                    "辖区公安分局内保大队",
                ),
                today,
            )
            member.add_record(training, at(day))
            self.dossier.events.append(
                TrainingRecorded(self.unit, member.id, training, NO_FLAGS, self.actor, at(day))
            )
        if rng.random() < 0.5:
            day = self.days_ago(10, 700)
            score = rng.randint(55, 98)
            result = AssessmentResult.PASSED if score >= 60 else AssessmentResult.FAILED
            assessment = new_assessment(AssessmentDraft(day, "保安员技能考核", score, result), today)
            member.add_record(assessment, at(day))
            self.dossier.updated(DossierSection.ASSESSMENTS, assessment.id, self.actor, at(day))
        member.added.clear()
        return member

    def filing(self, state: str, *, full_time: int, part_time: int) -> None:
        """A filing that reached `state`: draft, submitted, resubmitted, accepted or returned."""
        started = self.days_ago(60, 400)
        head = self.dossier.persons[-1].name if self.dossier.persons else person_name(self.rng)
        established = started - timedelta(days=900)
        duties = "负责单位内部治安保卫、安全防范和应急处置工作"
        draft = FilingDraft("保卫部", head, full_time, part_time, established, duties)
        filing = SecurityFiling.start(self.unit.uscc, draft, self.actor, at(started))
        self.dossier.filings.append(filing)
        self.dossier.updated(DossierSection.FILING, filing.id, self.actor, at(started))
        if state == "draft":
            return
        submitted = started + timedelta(days=3)
        resubmission = filing.submit(self.actor, at(submitted), key_unit=self.unit.key_unit)
        self.dossier.events.append(
            FilingSubmitted(self.unit, filing, resubmission, NO_FLAGS, self.actor, at(submitted))
        )
        decided = submitted + timedelta(days=5)
        if state in ("returned", "resubmitted"):
            filing.send_back(self.actor, at(decided), tuple(self.rng.sample(RETURN_REASONS, 2)))
            self.dossier.events.append(FilingReturned(self.unit, filing, NO_FLAGS, self.actor, at(decided)))
            if state == "resubmitted":
                again = decided + timedelta(days=7)
                filing.revise(draft, self.actor, at(again))
                resubmission = filing.submit(self.actor, at(again), key_unit=self.unit.key_unit)
                self.dossier.events.append(
                    FilingSubmitted(self.unit, filing, resubmission, NO_FLAGS, self.actor, at(again))
                )
        elif state == "accepted":
            filing.accept(self.actor, at(decided), "材料齐全，予以备案")
            self.dossier.events.append(FilingAccepted(self.unit, filing, NO_FLAGS, self.actor, at(decided)))

    def key_part(
        self, name: str, where: str, measures: tuple[str, ...], devices: tuple[DeviceType, ...]
    ) -> None:
        """A key part."""
        when = self.days_ago(100, 900)
        part = KeyPart.create(self.unit.uscc, KeyPartDraft(name, where, "", measures, devices), at(when))
        self.dossier.key_parts.append(part)
        self.dossier.updated(DossierSection.KEY_PARTS, part.id, self.actor, at(when), part)

    def plan(self, title: str, scenario: str, versions: int) -> EmergencyPlan:
        """A plan with `versions` versions (each supersedes the one before)."""
        previous: EmergencyPlan | None = None
        for number in range(versions):
            when = self.days_ago(400 - 300 * number // versions, 800 - 300 * number // versions)
            draft = EmergencyPlanDraft(
                title, scenario, f"{title}（第{number + 1}版）：组织机构、处置流程、联络方式。", when
            )
            plan = EmergencyPlan.publish(self.unit.uscc, draft, self.actor, at(when), previous)
            self.dossier.plans.append(plan)
            change = ChangeKind.UPDATED if previous else ChangeKind.ADDED
            self.dossier.events.append(
                DossierUpdated(
                    self.unit,
                    DossierSection.EMERGENCY_PLANS,
                    plan.plan_id,
                    change,
                    NO_FLAGS,
                    self.actor,
                    at(when),
                    plan,
                )
            )
            previous = plan
        if previous is None:
            raise ValueError("a plan has at least one version")
        return previous

    def drill(self, day: date, plan: EmergencyPlan | None) -> None:
        """A drill on `day`."""
        scenario = plan.scenario if plan else "综合应急"
        draft = DrillDraft(
            drilled_on=day,
            scenario=f"{scenario}应急演练",
            participants=self.rng.randint(15, 200),
            findings="总体有序，个别岗位响应偏慢",
            plan_id=plan.plan_id if plan else None,
            joint_with_police=self.rng.random() < 0.3,
        )
        drill = Drill.record(self.unit.uscc, draft, self.actor, at(day, 15))
        self.dossier.drills.append(drill)
        self.dossier.events.append(DrillRecorded(self.unit, drill, NO_FLAGS, self.actor, at(day, 15)))

    def inspection(self, day: date, party: Party, organisation: str, hazards: Sequence[str]) -> None:
        """An inspection and its hazards in the states given (open_due, open_overdue, rectified, verified)."""
        draft = InspectionDraft(
            day, organisation, (person_name(self.rng), person_name(self.rng)), "检查内部治安保卫制度落实情况"
        )
        inspection = Inspection.record(
            self.unit.uscc, party, draft, actor=self.actor, today=self.today, now=at(day)
        )
        self.dossier.inspections.append(inspection)
        self.dossier.events.append(InspectionRecorded(self.unit, inspection, NO_FLAGS, self.actor, at(day)))
        for state in hazards:
            description, severity = self.rng.choice(HAZARDS)
            if state == "open_due":
                deadline = self.today + timedelta(days=self.rng.randint(5, 40))
            elif state == "open_overdue":
                deadline = self.today - timedelta(days=self.rng.randint(1, 30))
            else:
                deadline = day + timedelta(days=30)
            deadline = max(deadline, day)
            hazard = Hazard.open(
                inspection, HazardDraft(severity, description, deadline), self.actor, day, at(day)
            )
            self.dossier.hazards.append(hazard)
            self.dossier.events.append(HazardOpened(self.unit, hazard, NO_FLAGS, self.actor, at(day)))
            if state in ("rectified", "verified"):
                fixed = min(day + timedelta(days=self.rng.randint(3, 25)), self.today)
                evidence = (
                    Evidence("整改后现场照片", f"https://files.neibao.example/evidence/{hazard.id}.jpg"),
                )
                hazard.rectify("已按要求完成整改", evidence, self.actor, at(fixed))
                self.dossier.events.append(
                    HazardRectified(self.unit, hazard, NO_FLAGS, self.actor, at(fixed))
                )
                if state == "verified":
                    checked = min(fixed + timedelta(days=5), self.today)
                    hazard.verify(
                        True, "复查合格", None, actor=self.actor, today=checked, now=at(checked, 16)
                    )
                    self.dossier.events.append(
                        HazardVerified(self.unit, hazard, NO_FLAGS, self.actor, at(checked, 16))
                    )

    def informant(self, reports: int) -> None:
        """An informant and their reports."""
        when = self.days_ago(200, 900)
        informant = Informant.create(
            self.unit.uscc, InformantDraft(person_name(self.rng), mobile(self.rng), "后勤部", when), at(when)
        )
        self.dossier.informants.append(informant)
        self.dossier.updated(DossierSection.INFORMANTS, informant.id, self.actor, at(when))
        for _ in range(reports):
            day = self.days_ago(1, 180)
            severity = self.rng.choice((Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH))
            draft = InformantReportDraft(day, self.rng.choice(REPORTS), severity)
            report = InformantReport.file(informant, draft, self.actor, self.today, at(day, 20))
            self.dossier.reports.append(report)
            self.dossier.events.append(
                InformantReportFiled(self.unit, report, NO_FLAGS, self.actor, at(day, 20))
            )

    def workstation(self, station: PoliceStation, name: str) -> None:
        """A police workstation at the unit."""
        when = self.days_ago(300, 1500)
        draft = WorkstationDraft(station.code, name, "一层服务台旁", self.rng.randint(1, 4), "", when)
        workstation = Workstation.create(self.unit.uscc, draft, at(when))
        self.dossier.workstations.append(workstation)
        self.dossier.updated(DossierSection.WORKSTATIONS, workstation.id, self.actor, at(when))


def police_organisation(unit: Unit, stations: dict[str, PoliceStation]) -> str:
    """The police body that inspects a unit: its station, or its district's branch."""
    station = stations.get(unit.police_station or "")
    return station.name if station else "辖区公安分局内保大队"


def _key_unit_records(
    build: DossierBuilder, full_time: int, part_time: int, stations: dict[str, PoliceStation]
) -> None:
    """A confirmed key unit's records besides its people: filing, parts, plans, drills, inspections."""
    rng, unit = build.rng, build.unit
    state = rng.choices(
        ("none", "draft", "submitted", "resubmitted", "returned", "accepted"), (13, 5, 12, 5, 10, 55)
    )[0]
    if state != "none":
        build.filing(state, full_time=full_time, part_time=part_time)
    for part in (*rng.sample(COMMON_PARTS, rng.randint(2, 4)), *TYPE_PARTS.get(unit.unit_type, ())):
        build.key_part(*part)
    plans = [
        build.plan(title, scenario, rng.choice((1, 1, 2)))
        for title, scenario in rng.sample(PLANS, rng.randint(1, 3))
    ]
    recent = rng.choices((0, 1, 2, 3, 4), (12, 18, 35, 25, 10))[0]
    for _ in range(recent):
        build.drill(build.days_ago(5, 360), rng.choice(plans))
    for _ in range(rng.randint(0, 2)):
        build.drill(build.days_ago(370, 700), rng.choice(plans))
    for _ in range(rng.randint(0, 2)):
        hazards = rng.choices(
            ("open_due", "open_overdue", "rectified", "verified"), (20, 20, 15, 45), k=rng.randint(0, 3)
        )
        build.inspection(
            build.days_ago(20, 500), Party(PartyKind.POLICE), police_organisation(unit, stations), hazards
        )
    if rng.random() < 0.3 and unit.sector in REGULATORS:
        hazards = rng.choices(("open_due", "open_overdue", "verified"), (30, 20, 50), k=rng.randint(0, 2))
        build.inspection(
            build.days_ago(20, 400),
            Party(PartyKind.REGULATOR, unit.sector),
            f"市{REGULATORS[unit.sector]}",
            hazards,
        )
    if rng.random() < 0.4:
        build.informant(rng.randint(0, 3))
    station = stations.get(unit.police_station or "")
    if station is not None and unit.unit_type in WORKSTATION_TYPES and rng.random() < 0.4:
        build.workstation(station, f"{unit.name[:6]}警务室")


def generate_dossier(
    unit: Unit,
    key_state: str | None,
    stations: dict[str, PoliceStation],
    today: date,
    actor: Actor,
) -> DemoDossier | None:
    """The dossier of one generated unit (deterministic per unit and day), or None for most ordinary units."""
    rng = random.Random(f"dossier:{unit.uscc}")  # noqa: S311 - demo data, not security
    if key_state is None and rng.random() > 0.08:
        return None
    dossier = DemoDossier(unit)
    build = DossierBuilder(dossier, rng, today, actor)
    build.person(
        ResponsibleRole.FIRST_RESPONSIBLE, unit.legal_representative or person_name(rng), "法定代表人"
    )
    if key_state is None:
        for _ in range(rng.randint(1, 3)):
            build.staff_member(rng.choice(POSITIONS[3:]), full_time=rng.random() < 0.5)
        if rng.random() < 0.3:
            hazard = rng.choice(("open_due", "open_overdue", "verified"))
            organisation = police_organisation(unit, stations)
            build.inspection(build.days_ago(20, 300), Party(PartyKind.POLICE), organisation, [hazard])
        return dossier
    build.person(ResponsibleRole.CO_RESPONSIBLE, person_name(rng), "分管安全副总经理")
    full_time = rng.randint(2, 8)
    part_time = rng.randint(0, 4)
    for index in range(full_time + part_time):
        certificate = rng.choices(("valid", "expiring", "expired", "none"), (80, 8, 6, 6))[0]
        build.staff_member(
            POSITIONS[min(index, len(POSITIONS) - 1)], full_time=index < full_time, certificate=certificate
        )
    if key_state == "proposed":
        if rng.random() < 0.5:
            build.filing("draft", full_time=full_time, part_time=part_time)
        return dossier
    _key_unit_records(build, full_time, part_time, stations)
    return dossier


def demo_unit_dossier(
    unit: Unit, stations: dict[str, PoliceStation], today: date, actor: Actor
) -> DemoDossier:
    """The complete dossier of the demo unit 91210102MA0LN001X3 (security-chief-demo's)."""
    rng = random.Random("dossier:demo")  # noqa: S311 - demo data, not security
    dossier = DemoDossier(unit)
    build = DossierBuilder(dossier, rng, today, actor)
    build.person(
        ResponsibleRole.FIRST_RESPONSIBLE, unit.legal_representative or "赵建国", "董事长、法定代表人"
    )
    build.person(ResponsibleRole.CO_RESPONSIBLE, "钱明", "保卫部部长")
    for position, full_time, certificate in (
        ("保卫部部长", True, "valid"),
        ("保安队长", True, "valid"),
        ("监控值班员", True, "expiring"),
        ("消防控制室值班员", True, "valid"),
        ("巡逻保安员", True, "expired"),
        ("门岗保安员", False, "valid"),
    ):
        build.staff_member(position, full_time=full_time, certificate=certificate)
    build.filing("accepted", full_time=5, part_time=1)
    for part in (
        COMMON_PARTS[0],
        COMMON_PARTS[1],
        COMMON_PARTS[3],
        ("中庭", "一至五层", ("节假日大客流管控",), (DeviceType.VIDEO_CAMERA,)),
        ("地下停车场", "地下二层", ("出入口道闸",), (DeviceType.PLATE_RECOGNITION, DeviceType.VIDEO_CAMERA)),
    ):
        build.key_part(*part)
    fire = build.plan("火灾事故应急预案", "火灾", 2)
    crowd = build.plan("大客流疏散预案", "大客流", 1)
    build.plan("防范恐怖袭击应急预案", "暴恐袭击", 1)
    build.drill(today - timedelta(days=75), fire)
    build.drill(today - timedelta(days=200), crowd)
    build.drill(today - timedelta(days=420), fire)
    organisation = police_organisation(unit, stations)
    build.inspection(
        today - timedelta(days=120), Party(PartyKind.POLICE), organisation, ["verified", "rectified"]
    )
    build.inspection(today - timedelta(days=40), Party(PartyKind.POLICE), organisation, ["open_overdue"])
    build.informant(2)
    station = stations.get(unit.police_station or "")
    if station is not None:
        build.workstation(station, "太原街商圈警务室")
    return dossier

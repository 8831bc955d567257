"""A province with dossiers on the three test units, written as their owners would write them."""

from __future__ import annotations

from dataclasses import dataclass

from stdnum.cn import ric

from neibao.unitregistry.v1 import dossier_pb2, informant_pb2, inspection_pb2, staff_pb2
from unit_registry.domain.dossier import ResponsiblePersonDraft
from unit_registry.domain.enums import Employment, ResponsibleRole
from unit_registry.domain.staff import StaffDraft
from unit_registry.service import dossier_handlers, staff_handlers
from unit_registry.service.dossier_commands import ItemCreate

from .conftest import DALIAN_EXPRESS, HEPING_EXPRESS, HEPING_SHOP, Registry, unit_security_of


def resident_id(body: str) -> str:
    """A valid resident ID from its first 17 digits (the check character computed by python-stdnum)."""
    return body + ric.calc_check_digit(body + "0")


# One person working for the Heping shop and the Dalian express company; another at the Heping express.
SHARED_ID = resident_id("21010219900307123")
HEPING_EXPRESS_ID = resident_id("21010219851212542")
PHONE = "13812345678"


@dataclass
class Dossiers:
    """What the fixture wrote: the ids a test needs."""

    registry: Registry
    shop_staff_id: str
    shop_person_id: str
    shop_hazard_id: str
    shop_inspection_id: str
    shop_informant_id: str
    express_hazard_id: str


async def _staff(registry: Registry, uscc: str, jurisdiction: str, number: str, name: str) -> None:
    requester = unit_security_of(uscc, jurisdiction)
    draft = StaffDraft(name=name, resident_id=number, phone=PHONE, employment=Employment.FULL_TIME)
    await staff_handlers.create_staff_member(ItemCreate(uscc, draft), requester, registry.unit_of_work())
    person = ResponsiblePersonDraft(
        role=ResponsibleRole.FIRST_RESPONSIBLE, name="孙海涛", phone="13900001111"
    )
    await dossier_handlers.create_responsible_person(
        ItemCreate(uscc, person), requester, registry.unit_of_work()
    )


async def write_dossiers(registry: Registry) -> Dossiers:
    """Dossier records on the three units, each by a party allowed to write it."""
    chief, heping = registry.auth("security-chief-demo"), registry.auth("police-heping")
    person = await registry.dossier.CreateResponsiblePerson(
        dossier_pb2.CreateResponsiblePersonRequest(
            uscc=HEPING_SHOP,
            role=dossier_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE,
            name="赵建国",
            phone=PHONE,
            position="董事长",
        ),
        metadata=chief,
    )
    staff = await registry.staff.CreateStaffMember(
        staff_pb2.CreateStaffMemberRequest(
            uscc=HEPING_SHOP,
            name="王芳",
            resident_id=SHARED_ID,
            phone=PHONE,
            employment=staff_pb2.EMPLOYMENT_FULL_TIME,
            position="保安队长",
        ),
        metadata=chief,
    )
    await registry.dossier.CreateKeyPart(
        dossier_pb2.CreateKeyPartRequest(
            uscc=HEPING_SHOP,
            name="监控中心",
            required_device_types=[dossier_pb2.DEVICE_TYPE_VIDEO_CAMERA],
        ),
        metadata=chief,
    )
    await registry.dossier.PublishEmergencyPlan(
        dossier_pb2.PublishEmergencyPlanRequest(
            uscc=HEPING_SHOP, title="火灾事故应急预案", scenario="火灾", effective_on="2025-01-01"
        ),
        metadata=chief,
    )
    await registry.dossier.RecordDrill(
        dossier_pb2.RecordDrillRequest(
            uscc=HEPING_SHOP, drilled_on="2025-05-01", scenario="火灾疏散", participants=40
        ),
        metadata=chief,
    )
    await registry.dossier.SaveFilingDraft(
        dossier_pb2.SaveFilingDraftRequest(uscc=HEPING_SHOP, organisation_name="保卫部", head_name="钱明"),
        metadata=chief,
    )
    informant = await registry.informants.CreateInformant(
        informant_pb2.CreateInformantRequest(uscc=HEPING_SHOP, name="李强", phone="13700002222"),
        metadata=heping,
    )
    await registry.informants.FileInformantReport(
        informant_pb2.FileInformantReportRequest(
            uscc=HEPING_SHOP,
            informant_id=informant.informant.id,
            reported_on="2025-05-02",
            content="有陌生人员在仓库周边徘徊",
            severity=dossier_pb2.SEVERITY_MEDIUM,
        ),
        metadata=heping,
    )
    inspection = await registry.inspections.RecordInspection(
        inspection_pb2.RecordInspectionRequest(
            uscc=HEPING_SHOP,
            inspected_on="2025-05-03",
            organisation="太原街派出所",
            inspectors=["张伟", "刘洋"],
        ),
        metadata=heping,
    )
    hazard = await registry.inspections.OpenHazard(
        inspection_pb2.OpenHazardRequest(
            uscc=HEPING_SHOP,
            inspection_id=inspection.inspection.id,
            severity=dossier_pb2.SEVERITY_HIGH,
            description="消防通道被杂物堵塞",
            deadline="2099-01-01",
        ),
        metadata=heping,
    )
    station = registry.rows(
        "SELECT code FROM police_station WHERE jurisdiction = '210102' ORDER BY code LIMIT 1"
    )
    await registry.dossier.CreateWorkstation(
        dossier_pb2.CreateWorkstationRequest(
            uscc=HEPING_SHOP, police_station=station[0][0], name="太原街警务室", opened_on="2024-06-01"
        ),
        metadata=heping,
    )
    await _staff(registry, HEPING_EXPRESS, "210102", HEPING_EXPRESS_ID, "陈静")
    await _staff(registry, DALIAN_EXPRESS, "210202", SHARED_ID, "王芳")
    regulator = registry.auth("regulator-postal")
    express_inspection = await registry.inspections.RecordInspection(
        inspection_pb2.RecordInspectionRequest(
            uscc=HEPING_EXPRESS,
            inspected_on="2025-05-04",
            organisation="沈阳市邮政管理局",
            inspectors=["周杰"],
        ),
        metadata=regulator,
    )
    express_hazard = await registry.inspections.OpenHazard(
        inspection_pb2.OpenHazardRequest(
            uscc=HEPING_EXPRESS,
            inspection_id=express_inspection.inspection.id,
            severity=dossier_pb2.SEVERITY_MEDIUM,
            description="收寄验视记录不全",
            deadline="2099-01-01",
        ),
        metadata=regulator,
    )
    return Dossiers(
        registry=registry,
        shop_staff_id=staff.staff_member.id,
        shop_person_id=person.responsible_person.id,
        shop_hazard_id=hazard.hazard.id,
        shop_inspection_id=inspection.inspection.id,
        shop_informant_id=informant.informant.id,
        express_hazard_id=express_hazard.hazard.id,
    )

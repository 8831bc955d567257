"""The dossier over gRPC with real tokens: workflows, who may write what, masking by role, personal data at
rest, field violations with nothing written, the overdue filters of ListUnits."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from neibao.unitregistry.v1 import dossier_pb2, informant_pb2, inspection_pb2, staff_pb2, unit_pb2
from neibao_privacy import mask_phone, mask_resident_id
from unit_registry.domain.inspections import Evidence
from unit_registry.service import inspection_handlers
from unit_registry.service.dossier_commands import HazardRectification

from .conftest import HEPING_EXPRESS, HEPING_SHOP, Registry, field_violations, unit_security_of
from .dossier_fixtures import PHONE, SHARED_ID, Dossiers, resident_id, write_dossiers

DOSSIER_TABLES = (
    "security_filing",
    "responsible_person",
    "security_staff",
    "staff_training",
    "staff_certificate",
    "informant",
    "informant_report",
    "key_part",
    "emergency_plan",
    "drill",
    "police_workstation",
    "inspection",
    "hazard",
    "outbox",
)


@pytest.fixture
async def dossiers(populated: Registry) -> Dossiers:
    return await write_dossiers(populated)


def written(registry: Registry) -> dict[str, int]:
    return {table: registry.count(f"SELECT count(*) FROM {table}") for table in DOSSIER_TABLES}  # noqa: S608


async def rpc_error(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


# Personal data ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "clear"),
    [("police-heping", True), ("admin", True), ("security-chief-demo", False)],
)
async def test_staff_personal_data_is_clear_for_police_masked_for_the_unit(
    dossiers: Dossiers, user: str, clear: bool
) -> None:
    registry = dossiers.registry
    found = await registry.staff.GetStaffMember(
        staff_pb2.GetStaffMemberRequest(uscc=HEPING_SHOP, id=dossiers.shop_staff_id),
        metadata=registry.auth(user),
    )
    member, disclosure = found.staff_member, found.disclosure
    kinds = {dossier_pb2.PERSONAL_DATA_KIND_RESIDENT_ID, dossier_pb2.PERSONAL_DATA_KIND_PHONE}
    assert set(disclosure.kinds) == kinds
    if clear:
        assert (member.resident_id, member.phone) == (SHARED_ID, PHONE)
        assert disclosure.level == dossier_pb2.DISCLOSURE_LEVEL_CLEAR
        assert list(disclosure.subject_ids) == [member.id]
    else:
        assert (member.resident_id, member.phone) == (mask_resident_id(SHARED_ID), mask_phone(PHONE))
        assert member.resident_id == SHARED_ID[:6] + "********" + SHARED_ID[-4:]
        assert disclosure.level == dossier_pb2.DISCLOSURE_LEVEL_MASKED
        assert list(disclosure.subject_ids) == []


async def test_regulators_read_staff_masked(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    listed = await registry.staff.ListStaff(
        staff_pb2.ListStaffRequest(uscc=HEPING_EXPRESS), metadata=registry.auth("regulator-postal")
    )
    assert len(listed.items) == 1
    assert "*" in listed.items[0].resident_id
    assert listed.disclosure.level == dossier_pb2.DISCLOSURE_LEVEL_MASKED
    people = await registry.dossier.ListResponsiblePersons(
        dossier_pb2.ListResponsiblePersonsRequest(uscc=HEPING_EXPRESS),
        metadata=registry.auth("regulator-postal"),
    )
    assert people.items[0].phone == "139****1111"
    assert list(people.disclosure.kinds) == [dossier_pb2.PERSONAL_DATA_KIND_PHONE]


async def test_a_response_without_personal_data_says_so(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    none = await registry.staff.FindStaffByResidentId(
        staff_pb2.FindStaffByResidentIdRequest(resident_id=resident_id("21010219700101001")),
        metadata=registry.auth("police-heping"),
    )
    assert (list(none.items), none.disclosure.level) == ([], dossier_pb2.DISCLOSURE_LEVEL_NONE)


async def test_personal_data_is_stored_encrypted_and_bound_to_its_row(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    rows = registry.rows("SELECT resident_id, resident_id_index, phone FROM security_staff")
    assert len(rows) == 3
    stored = b"".join(bytes(value) for row in rows for value in row)
    for plain in (SHARED_ID, PHONE, SHARED_ID[-6:]):
        assert plain.encode() not in stored
    # The same person at two units: same blind index, different ciphertexts.
    indexes = registry.rows(
        "SELECT resident_id_index, resident_id FROM security_staff WHERE uscc <> %s", HEPING_EXPRESS
    )
    assert indexes[0][0] == indexes[1][0]
    assert indexes[0][1] != indexes[1][1]
    informants = registry.rows("SELECT name, phone FROM informant")
    assert "李强".encode() not in b"".join(bytes(v) for v in informants[0])
    # A ciphertext copied onto another row no longer decrypts: the read fails rather than lie.
    registry.rows(
        "UPDATE security_staff SET resident_id = (SELECT resident_id FROM security_staff WHERE uscc = %s)"
        " WHERE id = %s RETURNING id",
        HEPING_EXPRESS,
        dossiers.shop_staff_id,
    )
    error = await rpc_error(
        registry.staff.GetStaffMember(
            staff_pb2.GetStaffMemberRequest(uscc=HEPING_SHOP, id=dossiers.shop_staff_id),
            metadata=registry.auth("police-heping"),
        )
    )
    assert error.code() is grpc.StatusCode.INTERNAL


# Staff ------------------------------------------------------------------------------------------------


async def test_bad_staff_input_names_every_field_and_writes_nothing(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    before = written(registry)
    error = await rpc_error(
        registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_SHOP,
                name="",
                resident_id=SHARED_ID[:-1] + ("0" if SHARED_ID[-1] != "0" else "1"),
                phone="12345",
                hired_on="2025-13-01",
            ),
            metadata=registry.auth("security-chief-demo"),
        )
    )
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == {"hired_on": "INVALID_FORMAT"}
    error = await rpc_error(
        registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_SHOP,
                name="",
                resident_id=SHARED_ID[:-1] + ("0" if SHARED_ID[-1] != "0" else "1"),
                phone="12345",
                position="x" * 101,
            ),
            metadata=registry.auth("security-chief-demo"),
        )
    )
    assert field_violations(error) == {
        "name": "REQUIRED",
        "resident_id": "INVALID_RESIDENT_ID",
        "phone": "INVALID_PHONE",
        "employment": "REQUIRED",
        "position": "TOO_LONG",
    }
    # The number is not echoed back in the message (it ends up in logs).
    assert SHARED_ID[:-1] not in (error.details() or "")
    error = await rpc_error(
        registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_SHOP,
                name="王芳",
                resident_id=SHARED_ID,
                employment=staff_pb2.EMPLOYMENT_PART_TIME,
            ),
            metadata=registry.auth("security-chief-demo"),
        )
    )
    assert error.code() is grpc.StatusCode.ALREADY_EXISTS
    assert field_violations(error) == {"resident_id": "ALREADY_EXISTS"}
    assert written(registry) == before


async def test_staff_records_certificates_and_departure(dossiers: Dossiers) -> None:
    registry, chief = dossiers.registry, dossiers.registry.auth("security-chief-demo")
    member = dossiers.shop_staff_id
    trained = await registry.staff.RecordTraining(
        staff_pb2.RecordTrainingRequest(
            uscc=HEPING_SHOP,
            staff_id=member,
            trained_on="2025-03-01",
            course="反恐防范培训",
            hours=8,
            result=staff_pb2.TRAINING_RESULT_PASSED,
            provider="和平分局内保大队",
        ),
        metadata=chief,
    )
    assert [t.course for t in trained.staff_member.trainings] == ["反恐防范培训"]
    certified = await registry.staff.AddCertificate(
        staff_pb2.AddCertificateRequest(
            uscc=HEPING_SHOP,
            staff_id=member,
            name="保安员证",
            issued_on="2020-01-01",
            expires_on="2021-01-01",
        ),
        metadata=chief,
    )
    assert certified.staff_member.certificate_expired
    assert certified.staff_member.certificates[0].expired
    assessed = await registry.staff.RecordAssessment(
        staff_pb2.RecordAssessmentRequest(
            uscc=HEPING_SHOP,
            staff_id=member,
            assessed_on="2025-04-01",
            subject="技能考核",
            score=86,
            result=staff_pb2.ASSESSMENT_RESULT_PASSED,
        ),
        metadata=chief,
    )
    assert assessed.staff_member.assessments[0].score == 86
    graded = await registry.staff.UpdateStaffMember(
        staff_pb2.UpdateStaffMemberRequest(
            uscc=HEPING_SHOP,
            id=member,
            version=assessed.staff_member.version,
            update_mask=FieldMask(paths=["skill_grade"]),
            skill_grade=staff_pb2.SKILL_GRADE_SENIOR,
        ),
        metadata=chief,
    )
    assert graded.staff_member.skill_grade == staff_pb2.SKILL_GRADE_SENIOR
    error = await rpc_error(
        registry.staff.UpdateStaffMember(
            staff_pb2.UpdateStaffMemberRequest(
                uscc=HEPING_SHOP,
                id=member,
                version=1,
                update_mask=FieldMask(paths=["position"]),
                position="队长",
            ),
            metadata=chief,
        )
    )
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    removed = await registry.staff.RemoveStaffMember(
        staff_pb2.RemoveStaffMemberRequest(uscc=HEPING_SHOP, id=member), metadata=chief
    )
    assert removed.staff_member.state == staff_pb2.STAFF_STATE_DEPARTED
    active = await registry.staff.ListStaff(staff_pb2.ListStaffRequest(uscc=HEPING_SHOP), metadata=chief)
    everyone = await registry.staff.ListStaff(
        staff_pb2.ListStaffRequest(uscc=HEPING_SHOP, include_departed=True), metadata=chief
    )
    assert (len(active.items), len(everyone.items)) == (0, 1)


async def test_staff_pages_by_name(dossiers: Dossiers) -> None:
    registry, chief = dossiers.registry, dossiers.registry.auth("security-chief-demo")
    for index, name in enumerate(("赵一", "钱二", "孙三")):
        await registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_SHOP,
                name=name,
                resident_id=resident_id(f"2101021980010100{index}"),
                employment=staff_pb2.EMPLOYMENT_PART_TIME,
            ),
            metadata=chief,
        )
    names, cursor = [], ""
    while True:
        page = await registry.staff.ListStaff(
            staff_pb2.ListStaffRequest(uscc=HEPING_SHOP, limit=2, cursor=cursor), metadata=chief
        )
        names += [m.name for m in page.items]
        if not (cursor := page.next_cursor):
            break
    assert len(names) == 4
    ordered = registry.rows(
        "SELECT name FROM security_staff WHERE uscc = %s AND state = 'active' ORDER BY name, id", HEPING_SHOP
    )
    assert names == [row[0] for row in ordered]


# Who writes what --------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["police-heping", "admin", "regulator-postal"])
async def test_only_the_unit_keeps_its_records(dossiers: Dossiers, user: str) -> None:
    registry = dossiers.registry
    before = written(registry)
    for call in (
        registry.dossier.CreateKeyPart(
            dossier_pb2.CreateKeyPartRequest(uscc=HEPING_EXPRESS, name="分拣中心"),
            metadata=registry.auth(user),
        ),
        registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_EXPRESS,
                name="张三",
                resident_id=resident_id("21010219900101001"),
                employment=staff_pb2.EMPLOYMENT_FULL_TIME,
            ),
            metadata=registry.auth(user),
        ),
        registry.dossier.RecordDrill(
            dossier_pb2.RecordDrillRequest(
                uscc=HEPING_EXPRESS, drilled_on="2025-01-01", scenario="x", participants=3
            ),
            metadata=registry.auth(user),
        ),
    ):
        assert (await rpc_error(call)).code() is grpc.StatusCode.PERMISSION_DENIED
    assert written(registry) == before


async def test_unit_security_neither_inspects_nor_keeps_workstations_nor_decides(dossiers: Dossiers) -> None:
    registry, chief = dossiers.registry, dossiers.registry.auth("security-chief-demo")
    for call in (
        registry.inspections.RecordInspection(
            inspection_pb2.RecordInspectionRequest(
                uscc=HEPING_SHOP, inspected_on="2025-01-01", organisation="自查", inspectors=["钱明"]
            ),
            metadata=chief,
        ),
        registry.dossier.CreateWorkstation(
            dossier_pb2.CreateWorkstationRequest(
                uscc=HEPING_SHOP, police_station="210102001", name="x", opened_on="2025-01-01"
            ),
            metadata=chief,
        ),
        registry.inspections.VerifyHazard(
            inspection_pb2.VerifyHazardRequest(uscc=HEPING_SHOP, id=dossiers.shop_hazard_id, accepted=True),
            metadata=chief,
        ),
    ):
        assert (await rpc_error(call)).code() is grpc.StatusCode.PERMISSION_DENIED
    # Informants: as if they did not exist.
    error = await rpc_error(
        registry.informants.CreateInformant(
            informant_pb2.CreateInformantRequest(uscc=HEPING_SHOP, name="某人"), metadata=chief
        )
    )
    assert error.code() is grpc.StatusCode.NOT_FOUND


async def test_first_responsible_person_is_unique(dossiers: Dossiers) -> None:
    registry, chief = dossiers.registry, dossiers.registry.auth("security-chief-demo")
    error = await rpc_error(
        registry.dossier.CreateResponsiblePerson(
            dossier_pb2.CreateResponsiblePersonRequest(
                uscc=HEPING_SHOP, role=dossier_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE, name="另一人"
            ),
            metadata=chief,
        )
    )
    assert error.code() is grpc.StatusCode.ALREADY_EXISTS
    assert field_violations(error) == {"role": "ALREADY_EXISTS"}
    co = await registry.dossier.CreateResponsiblePerson(
        dossier_pb2.CreateResponsiblePersonRequest(
            uscc=HEPING_SHOP,
            role=dossier_pb2.RESPONSIBLE_ROLE_CO_RESPONSIBLE,
            name="钱明",
            phone="024-23456789",
        ),
        metadata=chief,
    )
    assert co.responsible_person.phone == "024****6789"
    listed = await registry.dossier.ListResponsiblePersons(
        dossier_pb2.ListResponsiblePersonsRequest(uscc=HEPING_SHOP), metadata=registry.auth("police-shenyang")
    )
    assert [p.name for p in listed.items] == ["赵建国", "钱明"]
    assert [p.phone for p in listed.items] == [PHONE, "02423456789"]
    await registry.dossier.DeleteResponsiblePerson(
        dossier_pb2.DeleteResponsiblePersonRequest(uscc=HEPING_SHOP, id=co.responsible_person.id),
        metadata=chief,
    )
    assert registry.count("SELECT count(*) FROM responsible_person WHERE uscc = %s", HEPING_SHOP) == 1


# Filing (备案) ------------------------------------------------------------------------------------------


async def test_filing_is_submitted_returned_resubmitted_and_accepted(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    chief, heping, dalian = (
        registry.auth(u) for u in ("security-chief-demo", "police-heping", "police-dalian")
    )
    draft = (
        await registry.dossier.ListFilings(dossier_pb2.ListFilingsRequest(uscc=HEPING_SHOP), metadata=chief)
    ).items[0]
    # Incomplete: the police cannot review it yet.
    error = await rpc_error(
        registry.dossier.SubmitFiling(
            dossier_pb2.SubmitFilingRequest(uscc=HEPING_SHOP, id=draft.id), metadata=chief
        )
    )
    assert field_violations(error) == {"established_on": "REQUIRED", "full_time_staff": "REQUIRED"}
    saved = await registry.dossier.SaveFilingDraft(
        dossier_pb2.SaveFilingDraftRequest(
            uscc=HEPING_SHOP,
            version=draft.version,
            organisation_name="保卫部",
            head_name="钱明",
            full_time_staff=5,
            part_time_staff=1,
            established_on="2019-03-01",
        ),
        metadata=chief,
    )
    submitted = await registry.dossier.SubmitFiling(
        dossier_pb2.SubmitFilingRequest(uscc=HEPING_SHOP, id=saved.filing.id), metadata=chief
    )
    assert submitted.filing.state == dossier_pb2.FILING_STATE_SUBMITTED
    # Police elsewhere do not see the unit; the unit does not decide its own filing.
    assert (
        await rpc_error(
            registry.dossier.AcceptFiling(
                dossier_pb2.AcceptFilingRequest(uscc=HEPING_SHOP, id=saved.filing.id), metadata=dalian
            )
        )
    ).code() is grpc.StatusCode.NOT_FOUND
    assert (
        await rpc_error(
            registry.dossier.AcceptFiling(
                dossier_pb2.AcceptFilingRequest(uscc=HEPING_SHOP, id=saved.filing.id), metadata=chief
            )
        )
    ).code() is grpc.StatusCode.PERMISSION_DENIED
    error = await rpc_error(
        registry.dossier.ReturnFiling(
            dossier_pb2.ReturnFilingRequest(uscc=HEPING_SHOP, id=saved.filing.id), metadata=heping
        )
    )
    assert field_violations(error) == {"reasons": "REQUIRED"}
    returned = await registry.dossier.ReturnFiling(
        dossier_pb2.ReturnFilingRequest(
            uscc=HEPING_SHOP, id=saved.filing.id, reasons=["缺少内部治安保卫制度文件"]
        ),
        metadata=heping,
    )
    assert returned.filing.state == dossier_pb2.FILING_STATE_RETURNED
    assert list(returned.filing.return_reasons) == ["缺少内部治安保卫制度文件"]
    resubmitted = await registry.dossier.SubmitFiling(
        dossier_pb2.SubmitFilingRequest(uscc=HEPING_SHOP, id=saved.filing.id), metadata=chief
    )
    accepted = await registry.dossier.AcceptFiling(
        dossier_pb2.AcceptFilingRequest(
            uscc=HEPING_SHOP, id=saved.filing.id, version=resubmitted.filing.version, note="予以备案"
        ),
        metadata=heping,
    )
    assert accepted.filing.state == dossier_pb2.FILING_STATE_ACCEPTED
    assert accepted.filing.in_force
    assert [s.action for s in accepted.filing.history] == [
        "saved",
        "saved",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    assert accepted.filing.decided_by.name == "police-heping"
    # Accepting twice is not a thing.
    error = await rpc_error(
        registry.dossier.AcceptFiling(
            dossier_pb2.AcceptFilingRequest(uscc=HEPING_SHOP, id=saved.filing.id), metadata=heping
        )
    )
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    # An amendment is a new draft; the accepted filing stays in force meanwhile.
    amendment = await registry.dossier.SaveFilingDraft(
        dossier_pb2.SaveFilingDraftRequest(uscc=HEPING_SHOP, organisation_name="保卫处"), metadata=chief
    )
    assert amendment.filing.id != saved.filing.id
    summary = await registry.dossier.GetDossier(
        dossier_pb2.GetDossierRequest(uscc=HEPING_SHOP), metadata=chief
    )
    assert (summary.dossier.filing_in_force.id, summary.dossier.open_filing.id) == (
        saved.filing.id,
        amendment.filing.id,
    )
    assert registry.event_types().count("neibao.unit-registry.filing.submitted.v1") == 2


async def test_key_unit_filing_and_drills_drive_the_flags_and_the_list_filters(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    admin, chief = registry.auth("admin"), registry.auth("security-chief-demo")
    await registry.units.ProposeKeyUnit(
        unit_pb2.ProposeKeyUnitRequest(
            uscc=HEPING_SHOP, category=unit_pb2.KEY_UNIT_CATEGORY_RESERVE_OR_TRADE_CENTRE
        ),
        metadata=registry.auth("police-heping"),
    )
    # Designated long ago: the grace period for its filing is over.
    confirmed = await registry.units.ConfirmKeyUnit(
        unit_pb2.ConfirmKeyUnitRequest(uscc=HEPING_SHOP, designated_on="2024-01-01"), metadata=admin
    )
    assert (confirmed.unit.filing_overdue, confirmed.unit.drills_overdue) == (True, True)

    async def flagged(**criteria: bool) -> set[str]:
        found = await registry.units.ListUnits(unit_pb2.ListUnitsRequest(**criteria), metadata=admin)  # type: ignore[arg-type]
        return {u.uscc for u in found.items}

    assert await flagged(filing_overdue=True) == {HEPING_SHOP}
    assert await flagged(drills_overdue=True) == {HEPING_SHOP}
    assert HEPING_SHOP not in await flagged(drills_overdue=False)
    assert await flagged(hazards_overdue=True) == set()
    today = registry.rows("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date")[0][0]
    for days_ago in (10, 100):
        await registry.dossier.RecordDrill(
            dossier_pb2.RecordDrillRequest(
                uscc=HEPING_SHOP,
                drilled_on=(today.fromordinal(today.toordinal() - days_ago)).isoformat(),
                scenario="反恐演练",
                participants=30,
            ),
            metadata=chief,
        )
    assert await flagged(drills_overdue=True) == set()
    unit = await registry.units.GetUnit(unit_pb2.GetUnitRequest(uscc=HEPING_SHOP), metadata=chief)
    assert (unit.unit.filing_overdue, unit.unit.drills_overdue, unit.unit.hazards_overdue) == (
        True,
        False,
        False,
    )


# Plans, key parts, workstations -----------------------------------------------------------------------


async def test_a_new_plan_version_supersedes_the_current_one(dossiers: Dossiers) -> None:
    registry, chief = dossiers.registry, dossiers.registry.auth("security-chief-demo")
    first = (
        await registry.dossier.ListEmergencyPlans(
            dossier_pb2.ListEmergencyPlansRequest(uscc=HEPING_SHOP), metadata=chief
        )
    ).items[0]
    second = await registry.dossier.PublishEmergencyPlan(
        dossier_pb2.PublishEmergencyPlanRequest(
            uscc=HEPING_SHOP,
            plan_id=first.plan_id,
            title=first.title,
            scenario="火灾",
            effective_on="2025-06-01",
        ),
        metadata=chief,
    )
    assert (second.emergency_plan.plan_id, second.emergency_plan.version) == (first.plan_id, 2)
    current = await registry.dossier.ListEmergencyPlans(
        dossier_pb2.ListEmergencyPlansRequest(uscc=HEPING_SHOP), metadata=chief
    )
    every = await registry.dossier.ListEmergencyPlans(
        dossier_pb2.ListEmergencyPlansRequest(uscc=HEPING_SHOP, include_superseded=True), metadata=chief
    )
    assert [p.version for p in current.items] == [2]
    assert [(p.version, p.state) for p in every.items] == [
        (2, dossier_pb2.PLAN_STATE_CURRENT),
        (1, dossier_pb2.PLAN_STATE_SUPERSEDED),
    ]
    error = await rpc_error(
        registry.dossier.RecordDrill(
            dossier_pb2.RecordDrillRequest(
                uscc=HEPING_SHOP, drilled_on="2025-06-02", scenario="x", participants=5, plan_id="not-an-id"
            ),
            metadata=chief,
        )
    )
    assert field_violations(error) == {"plan_id": "INVALID_FORMAT"}


async def test_key_parts_and_workstations(dossiers: Dossiers) -> None:
    registry, chief, heping = (
        dossiers.registry,
        dossiers.registry.auth("security-chief-demo"),
        dossiers.registry.auth("police-heping"),
    )
    part = (
        await registry.dossier.ListKeyParts(dossier_pb2.ListKeyPartsRequest(uscc=HEPING_SHOP), metadata=chief)
    ).items[0]
    error = await rpc_error(
        registry.dossier.CreateKeyPart(
            dossier_pb2.CreateKeyPartRequest(uscc=HEPING_SHOP, name=" 监控中心 "), metadata=chief
        )
    )
    assert field_violations(error) == {"name": "ALREADY_EXISTS"}
    changed = await registry.dossier.UpdateKeyPart(
        dossier_pb2.UpdateKeyPartRequest(
            uscc=HEPING_SHOP,
            id=part.id,
            version=part.version,
            update_mask=FieldMask(paths=["required_device_types", "protection_measures"]),
            required_device_types=[
                dossier_pb2.DEVICE_TYPE_ACCESS_CONTROL,
                dossier_pb2.DEVICE_TYPE_ACCESS_CONTROL,
            ],
            protection_measures=["24小时值守"],
        ),
        metadata=chief,
    )
    assert list(changed.key_part.required_device_types) == [dossier_pb2.DEVICE_TYPE_ACCESS_CONTROL]
    error = await rpc_error(
        registry.dossier.UpdateKeyPart(
            dossier_pb2.UpdateKeyPartRequest(
                uscc=HEPING_SHOP, id=part.id, update_mask=FieldMask(paths=["uscc"]), name="x"
            ),
            metadata=chief,
        )
    )
    assert field_violations(error) == {"update_mask": "UNKNOWN_FIELD"}
    dalian_station = registry.rows("SELECT code FROM police_station WHERE jurisdiction = '210202' LIMIT 1")[
        0
    ][0]
    error = await rpc_error(
        registry.dossier.CreateWorkstation(
            dossier_pb2.CreateWorkstationRequest(
                uscc=HEPING_SHOP, police_station=dalian_station, name="警务室", opened_on="2025-01-01"
            ),
            metadata=heping,
        )
    )
    assert field_violations(error) == {"police_station": "UNKNOWN_POLICE_STATION"}
    station = (
        await registry.dossier.ListWorkstations(
            dossier_pb2.ListWorkstationsRequest(uscc=HEPING_SHOP), metadata=chief
        )
    ).items[0]
    closed = await registry.dossier.UpdateWorkstation(
        dossier_pb2.UpdateWorkstationRequest(
            uscc=HEPING_SHOP,
            id=station.id,
            update_mask=FieldMask(paths=["closed_on"]),
            closed_on="2025-02-01",
        ),
        metadata=heping,
    )
    assert closed.workstation.closed_on == "2025-02-01"


# Inspections and hazards ------------------------------------------------------------------------------


async def test_hazard_rectified_by_the_unit_and_verified_by_the_inspecting_party(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    chief, heping, postal = (
        registry.auth(u) for u in ("security-chief-demo", "police-heping", "regulator-postal")
    )
    hazard = dossiers.shop_hazard_id
    error = await rpc_error(
        registry.inspections.RectifyHazard(
            inspection_pb2.RectifyHazardRequest(uscc=HEPING_SHOP, id=hazard, rectification_note="已清理"),
            metadata=chief,
        )
    )
    assert field_violations(error) == {"evidence": "REQUIRED"}
    rectified = await registry.inspections.RectifyHazard(
        inspection_pb2.RectifyHazardRequest(
            uscc=HEPING_SHOP,
            id=hazard,
            rectification_note="已清理通道",
            evidence=[inspection_pb2.Evidence(description="整改后照片", uri="https://files.example/1.jpg")],
        ),
        metadata=chief,
    )
    assert rectified.hazard.state == inspection_pb2.HAZARD_STATE_RECTIFIED
    rejected = await registry.inspections.VerifyHazard(
        inspection_pb2.VerifyHazardRequest(
            uscc=HEPING_SHOP,
            id=hazard,
            accepted=False,
            verification_note="仍有堆放",
            new_deadline="2099-06-01",
        ),
        metadata=heping,
    )
    assert (rejected.hazard.state, rejected.hazard.deadline) == (
        inspection_pb2.HAZARD_STATE_OPEN,
        "2099-06-01",
    )
    await registry.inspections.RectifyHazard(
        inspection_pb2.RectifyHazardRequest(
            uscc=HEPING_SHOP,
            id=hazard,
            rectification_note="彻底清理",
            evidence=[inspection_pb2.Evidence(description="照片")],
        ),
        metadata=chief,
    )
    verified = await registry.inspections.VerifyHazard(
        inspection_pb2.VerifyHazardRequest(uscc=HEPING_SHOP, id=hazard, accepted=True), metadata=heping
    )
    assert verified.hazard.state == inspection_pb2.HAZARD_STATE_VERIFIED
    # A regulator's hazard is verified by that regulator, not by the police.
    express = dossiers.express_hazard_id
    # The express company has no demo account: its security staff act through the handler.
    await inspection_handlers.rectify_hazard(
        HazardRectification(HEPING_EXPRESS, express, "已补全", (Evidence("收寄验视记录"),)),
        unit_security_of(HEPING_EXPRESS, "210102"),
        registry.unit_of_work(),
    )
    error = await rpc_error(
        registry.inspections.VerifyHazard(
            inspection_pb2.VerifyHazardRequest(uscc=HEPING_EXPRESS, id=express, accepted=True),
            metadata=heping,
        )
    )
    assert error.code() is grpc.StatusCode.PERMISSION_DENIED
    done = await registry.inspections.VerifyHazard(
        inspection_pb2.VerifyHazardRequest(uscc=HEPING_EXPRESS, id=express, accepted=True), metadata=postal
    )
    assert done.hazard.state == inspection_pb2.HAZARD_STATE_VERIFIED
    listed = await registry.inspections.ListHazards(
        inspection_pb2.ListHazardsRequest(uscc=HEPING_SHOP, state=inspection_pb2.HAZARD_STATE_VERIFIED),
        metadata=chief,
    )
    assert [h.id for h in listed.items] == [hazard]
    inspection = await registry.inspections.GetInspection(
        inspection_pb2.GetInspectionRequest(uscc=HEPING_SHOP, id=dossiers.shop_inspection_id), metadata=chief
    )
    assert [h.id for h in inspection.inspection.hazards] == [hazard]
    assert inspection.inspection.party == inspection_pb2.PARTY_KIND_POLICE


async def test_a_regulator_inspects_only_units_of_its_sector(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    request = inspection_pb2.RecordInspectionRequest(
        uscc=HEPING_SHOP, inspected_on="2025-01-01", organisation="邮政管理局", inspectors=["周杰"]
    )
    # The shop (commerce) is not visible to the postal regulator at all.
    error = await rpc_error(
        registry.inspections.RecordInspection(request, metadata=registry.auth("regulator-postal"))
    )
    assert error.code() is grpc.StatusCode.NOT_FOUND
    error = await rpc_error(
        registry.inspections.OpenHazard(
            inspection_pb2.OpenHazardRequest(
                uscc=HEPING_SHOP,
                inspection_id=dossiers.shop_inspection_id,
                severity=dossier_pb2.SEVERITY_LOW,
                description="x",
                deadline="2000-01-01",
            ),
            metadata=registry.auth("police-heping"),
        )
    )
    assert field_violations(error) == {"deadline": "IN_PAST"}


# Informants -------------------------------------------------------------------------------------------


async def test_informants_are_police_business(dossiers: Dossiers) -> None:
    registry, heping = dossiers.registry, dossiers.registry.auth("police-heping")
    listed = await registry.informants.ListInformants(
        informant_pb2.ListInformantsRequest(uscc=HEPING_SHOP), metadata=heping
    )
    assert [(i.name, i.reports) for i in listed.items] == [("李强", 1)]
    assert listed.disclosure.level == dossier_pb2.DISCLOSURE_LEVEL_CLEAR
    assert set(listed.disclosure.kinds) == {
        dossier_pb2.PERSONAL_DATA_KIND_NAME,
        dossier_pb2.PERSONAL_DATA_KIND_PHONE,
    }
    retired = await registry.informants.UpdateInformant(
        informant_pb2.UpdateInformantRequest(
            uscc=HEPING_SHOP,
            id=dossiers.shop_informant_id,
            update_mask=FieldMask(paths=["active"]),
            active=False,
        ),
        metadata=heping,
    )
    assert not retired.informant.active
    error = await rpc_error(
        registry.informants.FileInformantReport(
            informant_pb2.FileInformantReportRequest(
                uscc=HEPING_SHOP,
                informant_id=dossiers.shop_informant_id,
                reported_on="2025-01-01",
                content="x",
                severity=dossier_pb2.SEVERITY_LOW,
            ),
            metadata=heping,
        )
    )
    assert error.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert (
        await registry.informants.ListInformants(
            informant_pb2.ListInformantsRequest(uscc=HEPING_SHOP), metadata=heping
        )
    ).items == []

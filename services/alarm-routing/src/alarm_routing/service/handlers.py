"""The use cases: intake, reads, acknowledgement, dispatch, resolution, escalation of due timers."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from alarm_routing.domain.context import UnitContext, announced, disclosed
from alarm_routing.domain.enums import (
    LIFE_SAFETY_KINDS,
    POLICE_PARTIES,
    AcknowledgementOutcome,
    ActorKind,
    AlarmKind,
    AlarmStatus,
    Outcome,
    TimelineType,
)
from alarm_routing.domain.errors import FieldViolation, Forbidden, NotFound, ValidationFailed
from alarm_routing.domain.events import (
    AlarmAcknowledged,
    AlarmClosed,
    AlarmDeadlineMissed,
    AlarmDispatched,
    AlarmEscalated,
    AlarmOnScene,
    AlarmRaised,
    AlarmRepeated,
    AlarmResolved,
    SilenceChanged,
)
from alarm_routing.domain.figures import DEFAULT_DAYS, MAX_DAYS, AlarmFigures, every_day, period
from alarm_routing.domain.model import Actor, Alarm, Report, Route, TimelineEntry, UnitFacts
from alarm_routing.domain.parties import Caller, parties_of
from alarm_routing.domain.routing import RoutingPolicy, escalate, miss_deadline, needs_timer, route
from alarm_routing.domain.silences import Silence
from alarm_routing.service.unit_of_work import AlarmFilter, IntakeFacts, UnitOfWork
from neibao_codes import is_valid_uscc
from neibao_identity import Principal, Role, Scope

RAISING_ROLES = frozenset({Role.UNIT_SECURITY, Role.SECTOR_SYSTEM, Role.POLICE, Role.PROVINCE_ADMIN})
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_TEXT = 2000
MAX_KEY = 200
# A sender's clock may run a little fast; an alarm from further in the future is refused.
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Requester:
    """The caller as the handlers need it: who (for the record), what it may see, who it speaks for."""

    actor: Actor
    scope: Scope
    caller: Caller

    @classmethod
    def from_principal(cls, principal: Principal) -> Requester:
        """From the verified token's principal."""
        scope = Scope.for_principal(principal)
        actor = Actor(
            kind=ActorKind.MACHINE if principal.is_machine else ActorKind.USER,
            subject=principal.subject,
            name=principal.username,
            roles=tuple(sorted(principal.roles)),
            jurisdiction=principal.jurisdiction or "",
            sector=principal.sector or "",
            unit=principal.unit or principal.org or "",
            client_id=principal.client_id or "",
        )
        caller = Caller(
            roles=principal.roles,
            jurisdiction_prefix=scope.jurisdiction_prefix,
            sector=principal.sector,
            unit=principal.unit,
        )
        return cls(actor, scope, caller)

    @property
    def sender(self) -> str:
        """The caller's name as a sender of alarms (a machine client's id, else the username)."""
        return self.actor.client_id if self.actor.kind is ActorKind.MACHINE else self.actor.name


@dataclass(frozen=True, slots=True)
class RaiseAlarm:
    """An alarm as a sender reports it (None: the field was not given)."""

    uscc: str
    kind: AlarmKind | None
    priority: int
    occurred_at: datetime | None
    description: str = ""
    source: str = ""
    source_id: str = ""
    zone: str = ""
    device_id: str = ""


@dataclass(frozen=True, slots=True)
class DeviceFault:
    """A critical device of a unit went offline or reported a fault (from a device-inventory event)."""

    event_id: str
    uscc: str
    jurisdiction: str
    sector: str
    device_id: str
    key_part: str
    priority: int
    description: str
    occurred_at: datetime


# The platform raising alarms on the device inventory's word.
DEVICE_INVENTORY = Actor(ActorKind.SYSTEM, "device-inventory", "device-inventory")


@dataclass(frozen=True, slots=True)
class EarlyWarning:
    """An early-warning rule of the sector exchange fired on submitted records (from its event)."""

    warning_id: str
    rule_id: str
    uscc: str
    jurisdiction: str
    sector: str
    priority: int
    summary: str
    occurred_at: datetime | None


# The platform raising alarms on the sector exchange's rules.
SECTOR_EXCHANGE = Actor(ActorKind.SYSTEM, "sector-exchange", "sector-exchange")


@dataclass(frozen=True, slots=True)
class Intake:
    """What became of a report: a new alarm, a retransmit of one, or a repeat counted on an open one."""

    alarm: Alarm
    duplicate: bool = False
    grouped: bool = False


@dataclass(frozen=True, slots=True)
class AlarmDetail:
    """One alarm and what its responders need of the unit (phones as disclosed to the reader)."""

    alarm: Alarm
    context: UnitContext


@dataclass(frozen=True, slots=True)
class Page:
    """A page of alarms and where the next starts ("" at the end)."""

    items: Sequence[Alarm]
    next_cursor: str


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _violations(command: RaiseAlarm, now: datetime) -> list[FieldViolation]:
    found: list[FieldViolation] = []
    if not command.uscc:
        found.append(FieldViolation("uscc", "REQUIRED", "uscc is required"))
    elif not is_valid_uscc(command.uscc):
        found.append(FieldViolation("uscc", "INVALID_USCC", "uscc is not a valid unified social credit code"))
    if command.kind is None:
        found.append(FieldViolation("kind", "REQUIRED", "kind is required"))
    if not 1 <= command.priority <= 4:
        found.append(FieldViolation("priority", "OUT_OF_RANGE", "priority is 1 (highest) to 4"))
    if command.occurred_at is None:
        found.append(FieldViolation("occurred_at", "REQUIRED", "occurred_at is required"))
    elif command.occurred_at > now + FUTURE_TOLERANCE:
        found.append(FieldViolation("occurred_at", "IN_FUTURE", "occurred_at lies in the future"))
    if len(command.description) > MAX_TEXT:
        found.append(
            FieldViolation("description", "TOO_LONG", f"description is at most {MAX_TEXT} characters")
        )
    for name in ("source", "source_id", "zone", "device_id"):
        if len(getattr(command, name)) > MAX_KEY:
            found.append(FieldViolation(name, "TOO_LONG", f"{name} is at most {MAX_KEY} characters"))
    return found


def _note(note: str) -> str:
    if len(note) > MAX_TEXT:
        raise ValidationFailed([FieldViolation("note", "TOO_LONG", f"note is at most {MAX_TEXT} characters")])
    return note


def parse_alarm_id(text: str) -> uuid.UUID:
    """An alarm id from the request; a malformed one is not found (no alarm has it)."""
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise NotFound("alarms", text) from exc


def encode_cursor(seq: int) -> str:
    """A cursor after the alarm at keyset position `seq`."""
    return base64.urlsafe_b64encode(f"1:alarms:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int | None:
    """The keyset position of a cursor (None when empty); ValidationFailed when it is not ours."""
    if not cursor:
        return None
    try:
        version, kind, seq = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(":")
        if version == "1" and kind == "alarms":
            return int(seq)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationFailed(
        [FieldViolation("cursor", "INVALID_CURSOR", "cursor is not a next_cursor of this listing")]
    )


@dataclass
class AlarmRouting:
    """The handlers and what they run on: units of work, the routing policy, a clock."""

    unit_of_work: Callable[[], UnitOfWork]
    policy: RoutingPolicy
    clock: Callable[[], datetime] = field(default=_utc_now)

    async def raise_alarm(self, command: RaiseAlarm, requester: Requester) -> Intake:
        """Take in an alarm, route it and arm its timers, all committed before the answer.

        The answer says whether it was a retransmit (the sender's id seen before): then nothing changes.
        """
        if requester.caller.roles.isdisjoint(RAISING_ROLES):
            raise Forbidden("the caller may not raise alarms")
        # Namespaced by the caller, so one sender's ids never collide with another's.
        source = f"{requester.sender}/{command.source}" if command.source else requester.sender

        def in_scope(unit: UnitFacts | None) -> UnitFacts | None:
            if unit is None or not requester.scope.allows(
                jurisdiction=unit.jurisdiction, sector=unit.sector or None, unit=unit.uscc
            ):
                return None
            return unit

        return await self._take_in(command, requester.actor, source, in_scope)

    async def raise_device_fault(self, fault: DeviceFault) -> Intake:
        """A critical device went offline or reported a fault: a device_fault alarm, raised by the platform.

        The device event's id is the alarm's source id, so a redelivered event is the same alarm. A unit
        the read model has not heard of yet is routed on the event's own scope keys.
        """
        command = RaiseAlarm(
            uscc=fault.uscc,
            kind=AlarmKind.DEVICE_FAULT,
            priority=fault.priority,
            occurred_at=fault.occurred_at,
            description=fault.description,
            source_id=fault.event_id,
            zone=fault.key_part,
            device_id=fault.device_id,
        )
        fallback = UnitFacts(uscc=fault.uscc, name="", jurisdiction=fault.jurisdiction, sector=fault.sector)
        return await self._take_in(
            command, DEVICE_INVENTORY, DEVICE_INVENTORY.name, lambda unit: unit or fallback
        )

    async def raise_early_warning(self, warning: EarlyWarning) -> Intake:
        """An early-warning rule fired: an early_warning alarm, raised by the platform.

        The warning's id is the alarm's source id, so the same finding is one alarm; repeats of one rule at
        one unit within the grouping window are counted on it (the rule is the alarm's zone).
        """
        command = RaiseAlarm(
            uscc=warning.uscc,
            kind=AlarmKind.EARLY_WARNING,
            priority=warning.priority,
            occurred_at=warning.occurred_at,
            description=warning.summary,
            source_id=warning.warning_id,
            zone=f"rule:{warning.rule_id}" if warning.rule_id else "",
        )
        fallback = UnitFacts(
            uscc=warning.uscc, name="", jurisdiction=warning.jurisdiction, sector=warning.sector
        )
        return await self._take_in(
            command, SECTOR_EXCHANGE, SECTOR_EXCHANGE.name, lambda unit: unit or fallback
        )

    async def resolve_device_faults(self, uscc: str, device_id: str, description: str) -> int:
        """A critical device is back: its unfinished device_fault alarms are resolved by the platform (the
        fault was real); how many."""
        now = self.clock()
        async with self.unit_of_work() as uow:
            alarms = await uow.alarms.open_for_device(uscc, device_id, AlarmKind.DEVICE_FAULT)
            for alarm in alarms:
                alarm.resolve(Outcome.REAL, DEVICE_INVENTORY, description, now)
                await uow.alarms.save(alarm)
                uow.publish(AlarmResolved(alarm, description, DEVICE_INVENTORY, now))
            await uow.commit()
        return len(alarms)

    async def _take_in(
        self,
        command: RaiseAlarm,
        actor: Actor,
        source: str,
        admit: Callable[[UnitFacts | None], UnitFacts | None],
    ) -> Intake:
        now = self.clock()
        violations = _violations(command, now)
        if violations:
            raise ValidationFailed(violations)
        assert command.kind is not None  # noqa: S101 - validated above
        assert command.occurred_at is not None  # noqa: S101
        async with self.unit_of_work() as uow:
            facts = await uow.intake_facts(command.uscc, command.device_id, now)
            unit = admit(facts.unit)
            if unit is None:
                raise NotFound("units", command.uscc)
            grouping = self.policy.groups(command.kind, command.zone)
            if grouping:
                await uow.alarms.lock_zone(command.uscc, command.zone, command.kind)
                # A retransmit must not be counted again; elsewhere `add` refuses one (below).
                if command.source_id:
                    existing = await uow.alarms.get_by_source(source, command.source_id)
                    if existing is not None:
                        return Intake(existing, duplicate=True)
                report = Report(
                    source, command.source_id, command.occurred_at, now, command.description, actor
                )
                grouped = await self._count_repeat(uow, command, report)
                if grouped is not None:
                    return grouped
            alarm, routes = await self._new_alarm(uow, command, unit, facts, actor, source=source, now=now)
            timers = [(r.id, r.acknowledge_by) for r in routes if needs_timer(r) and r.acknowledge_by]
            if not await uow.alarms.add(alarm, timers):
                # A retransmit (or a report racing it): answer the alarm its first copy became.
                await uow.rollback()
                return Intake(await self._by_source(source, command.source_id), duplicate=True)
            await uow.commit()
        return Intake(alarm)

    async def _new_alarm(
        self,
        uow: UnitOfWork,
        command: RaiseAlarm,
        unit: UnitFacts,
        facts: IntakeFacts,
        actor: Actor,
        *,
        source: str,
        now: datetime,
    ) -> tuple[Alarm, list[Route]]:
        """The alarm of a first report: suppressed by a silence in force, or routed by the rules."""
        assert command.kind is not None  # noqa: S101 - validated by the caller
        assert command.occurred_at is not None  # noqa: S101
        alarm = Alarm(
            id=uuid.uuid4(),
            uscc=command.uscc,
            kind=command.kind,
            priority=command.priority,
            status=AlarmStatus.RECEIVED,
            occurred_at=command.occurred_at,
            received_at=now,
            description=command.description,
            source=source,
            source_id=command.source_id,
            zone=command.zone,
            device_id=command.device_id,
            unit=unit,
            raised_by=actor,
            rules_version=self.policy.version,
        )
        alarm.record(TimelineEntry(TimelineType.RECEIVED, now, actor, detail=command.description))
        if command.kind in LIFE_SAFETY_KINDS:
            alarm.raise_priority(1, f"{command.kind.value} alarms are life safety", now)
        silence = next((s for s in facts.silences if s.silences(command.kind, command.device_id, now)), None)
        if silence is not None:
            alarm.suppress(silence.id, silence.reason, now)
        context = announced(facts.context, command.zone, facts.device_key_part)
        # A suppressed alarm is kept and shown, but goes to nobody.
        routes = [] if silence is not None else route(self.policy, alarm, now)
        if routes:
            alarm.route(routes, now)
        # One event for the intake (taken in and routed in one transaction): the stream carries it once.
        uow.publish(AlarmRaised(alarm, now, context))
        return alarm, routes

    async def _count_repeat(self, uow: UnitOfWork, command: RaiseAlarm, report: Report) -> Intake | None:
        """Count the report on the open alarm of its zone, if there is one (committed); else None."""
        assert command.kind is not None  # noqa: S101 - validated by the caller
        since = report.received_at - timedelta(seconds=self.policy.grouping_window_seconds)
        open_alarm = await uow.alarms.open_for_zone(command.uscc, command.zone, command.kind, since)
        if open_alarm is None:
            return None
        await uow.alarms.add_report(open_alarm, report)
        open_alarm.repeat(report.reported_by, report.description, report.received_at)
        await uow.alarms.save(open_alarm)
        uow.publish(AlarmRepeated(open_alarm, report, report.received_at))
        await uow.commit()
        return Intake(open_alarm, grouped=True)

    async def _by_source(self, source: str, source_id: str) -> Alarm:
        async with self.unit_of_work() as uow:
            existing = await uow.alarms.get_by_source(source, source_id)
        if existing is None:  # pragma: no cover - the conflicting row was committed
            raise NotFound("alarms", f"{source}/{source_id}")
        return existing

    async def get_alarm(self, alarm_id: str, requester: Requester) -> AlarmDetail:
        """One alarm in scope, with its timeline and the unit's plans, key parts and responsible persons."""
        async with self.unit_of_work() as uow:
            alarm = await uow.alarms.get(parse_alarm_id(alarm_id), requester.scope)
            if alarm is None:
                raise NotFound("alarms", alarm_id)
            context = await uow.contexts.get(alarm.uscc)
            device_part = await uow.contexts.device_key_part(alarm.uscc, alarm.device_id)
        return AlarmDetail(alarm, disclosed(context, alarm.zone, requester.caller.roles, device_part))

    async def list_alarms(
        self,
        status: AlarmStatus | None,
        uscc: str,
        page_size: int,
        cursor: str,
        requester: Requester,
        *,
        kind: AlarmKind | None = None,
    ) -> Page:
        """Alarms in scope, newest first."""
        if page_size < 0 or page_size > MAX_PAGE_SIZE:
            raise ValidationFailed(
                [FieldViolation("limit", "OUT_OF_RANGE", f"limit is 1 to {MAX_PAGE_SIZE}")]
            )
        limit = page_size or DEFAULT_PAGE_SIZE
        criteria = AlarmFilter(status=status, uscc=uscc, kind=kind, before_seq=decode_cursor(cursor))
        async with self.unit_of_work() as uow:
            found = await uow.alarms.list(criteria, requester.scope, limit + 1)
        more = len(found) > limit
        page = found[:limit]
        return Page([alarm for _, alarm in page], encode_cursor(page[-1][0]) if more else "")

    async def figures(self, days: int, requester: Requester) -> AlarmFigures:
        """Alarm figures in the caller's scope: each of the last `days` days (0: 30) and the open alarms."""
        if days < 0 or days > MAX_DAYS:
            raise ValidationFailed([FieldViolation("days", "OUT_OF_RANGE", f"days is 1 to {MAX_DAYS}")])
        first, last, begins = period(self.clock(), days or DEFAULT_DAYS)
        async with self.unit_of_work() as uow:
            found, open_by_priority = await uow.alarms.figures(requester.scope, begins)
        return AlarmFigures(every_day(found, first, last), open_by_priority)

    async def acknowledge(
        self,
        alarm_id: str,
        note: str,
        requester: Requester,
        outcome: AcknowledgementOutcome | None = None,
    ) -> Alarm:
        """The caller acknowledges for every party of the alarm it speaks for, with what it found (police:
        `accepted` when not said)."""
        now = self.clock()
        async with self.unit_of_work() as uow:
            alarm = await self._locked(uow, alarm_id, requester)
            acknowledged = alarm.acknowledge(
                parties_of(requester.caller, alarm),
                requester.actor,
                _note(note),
                now,
                outcome or AcknowledgementOutcome.ACCEPTED,
            )
            if acknowledged:
                await uow.alarms.save(alarm)
                uow.publish(AlarmAcknowledged(alarm, tuple(acknowledged), note, requester.actor, now))
                await uow.commit()
        return alarm

    async def dispatch(self, alarm_id: str, note: str, requester: Requester) -> Alarm:
        """Police the alarm went to sent responders."""
        now = self.clock()
        async with self.unit_of_work() as uow:
            alarm = await self._locked(uow, alarm_id, requester)
            alarm.dispatch(parties_of(requester.caller, alarm), requester.actor, _note(note), now)
            await uow.alarms.save(alarm)
            uow.publish(AlarmDispatched(alarm, note, requester.actor, now))
            await uow.commit()
        return alarm

    async def arrive(self, alarm_id: str, note: str, requester: Requester) -> Alarm:
        """Police the alarm went to reached the scene."""
        now = self.clock()
        async with self.unit_of_work() as uow:
            alarm = await self._locked(uow, alarm_id, requester)
            alarm.arrive(parties_of(requester.caller, alarm), requester.actor, _note(note), now)
            await uow.alarms.save(alarm)
            uow.publish(AlarmOnScene(alarm, note, requester.actor, now))
            await uow.commit()
        return alarm

    async def close(self, alarm_id: str, note: str, requester: Requester) -> Alarm:
        """Police the alarm went to (or a province administrator) close the case of a resolved alarm."""
        now = self.clock()
        async with self.unit_of_work() as uow:
            alarm = await self._locked(uow, alarm_id, requester)
            police = any(p.kind in POLICE_PARTIES for p in parties_of(requester.caller, alarm))
            if not police and not requester.scope.unrestricted:
                raise Forbidden("only police the alarm went to close its case")
            alarm.close(requester.actor, _note(note), now)
            await uow.alarms.save(alarm)
            uow.publish(AlarmClosed(alarm, note, requester.actor, now))
            await uow.commit()
        return alarm

    async def resolve(self, alarm_id: str, outcome: Outcome | None, note: str, requester: Requester) -> Alarm:
        """A party of the alarm (or a province administrator) closes the case with its outcome."""
        if outcome is None:
            raise ValidationFailed([FieldViolation("outcome", "REQUIRED", "outcome is required")])
        now = self.clock()
        async with self.unit_of_work() as uow:
            alarm = await self._locked(uow, alarm_id, requester)
            if not parties_of(requester.caller, alarm) and not requester.scope.unrestricted:
                raise Forbidden("only a party of the alarm resolves it")
            alarm.resolve(outcome, requester.actor, _note(note), now)
            await uow.alarms.save(alarm)
            uow.publish(AlarmResolved(alarm, note, requester.actor, now))
            await uow.commit()
        return alarm

    async def escalate_due(self, limit: int = 100) -> int:
        """Fire the timers due now (locked, so escalators never fire one twice); how many escalated.

        A timer whose route was acknowledged, or whose alarm was dispatched or resolved, is discarded:
        the acknowledgement and the firing serialise on the alarm's row lock.
        """
        now = self.clock()
        escalated = 0
        async with self.unit_of_work() as uow:
            for timer in await uow.timers.due(now, limit):
                alarm = await uow.alarms.get(timer.alarm_id, None, for_update=True)
                step = escalate(self.policy, alarm, timer.route_id, now) if alarm else None
                missed = (
                    miss_deadline(self.policy, alarm, timer.route_id, now) if alarm and not step else None
                )
                if missed is not None and alarm is not None:
                    # Outside the chain nobody else is called: the alarm's police see the miss.
                    await uow.timers.delete(timer.id)
                    await uow.alarms.save(alarm)
                    uow.publish(AlarmDeadlineMissed(alarm, missed, now))
                    continue
                if alarm is None or step is None:
                    await uow.timers.delete(timer.id)
                    if alarm is not None:
                        await uow.alarms.save(alarm)  # a "no further escalation" entry, if any
                    continue
                await uow.alarms.save(alarm)  # the called route first: its timer refers to it
                if not step.repeated:
                    await uow.timers.delete(timer.id)
                if step.called.acknowledge_by is not None:
                    await uow.timers.set(alarm.id, step.called.id, step.called.acknowledge_by)
                uow.publish(AlarmEscalated(alarm, step, now))
                escalated += 1
            await uow.commit()
        return escalated

    async def _locked(self, uow: UnitOfWork, alarm_id: str, requester: Requester) -> Alarm:
        alarm = await uow.alarms.get(parse_alarm_id(alarm_id), requester.scope, for_update=True)
        if alarm is None:
            raise NotFound("alarms", alarm_id)
        return alarm


SILENCE_AUTHORS = frozenset({Role.POLICE, Role.UNIT_SECURITY, Role.PROVINCE_ADMIN})
SILENCE_APPROVERS = frozenset({Role.POLICE, Role.PROVINCE_ADMIN})


@dataclass(frozen=True, slots=True)
class CreateSilence:
    """A silence as requested (None: not given)."""

    uscc: str
    device_id: str
    starts_at: datetime | None
    ends_at: datetime | None
    reason: str
    includes_life_safety: bool


@dataclass
class Silences:
    """The silence handlers: create, approve (a second person), cancel, list."""

    unit_of_work: Callable[[], UnitOfWork]
    clock: Callable[[], datetime] = field(default=_utc_now)

    async def create(self, command: CreateSilence, requester: Requester) -> Silence:
        """Silence a unit's (or one device's) alarms for a time; life safety only once approved."""
        if requester.caller.roles.isdisjoint(SILENCE_AUTHORS):
            raise Forbidden("the caller may not silence alarms")
        if not is_valid_uscc(command.uscc):
            raise ValidationFailed([FieldViolation("uscc", "INVALID_USCC", "uscc is not a valid code")])
        now = self.clock()
        async with self.unit_of_work() as uow:
            unit = await uow.units.get(command.uscc)
            if unit is None or not requester.scope.allows(
                jurisdiction=unit.jurisdiction, sector=unit.sector or None, unit=unit.uscc
            ):
                raise NotFound("units", command.uscc)
            silence = Silence.create(
                command.uscc,
                device_id=command.device_id,
                starts_at=command.starts_at,
                ends_at=command.ends_at,
                reason=command.reason,
                includes_life_safety=command.includes_life_safety,
                actor=requester.actor,
                now=now,
            )
            await uow.silences.add(silence, unit)
            uow.publish(SilenceChanged(silence, "created", unit, requester.actor, now))
            await uow.commit()
        return silence

    async def approve(self, silence_id: str, requester: Requester) -> Silence:
        """A second person (police or the province admin) puts a life-safety silence in force."""
        if requester.caller.roles.isdisjoint(SILENCE_APPROVERS):
            raise Forbidden("only police or the province admin approve silences")
        return await self._change(
            silence_id, requester, "approved", lambda s, now: s.approve(requester.actor, now)
        )

    async def cancel(self, silence_id: str, requester: Requester) -> Silence:
        """Its author, police or the province admin end a silence now."""

        def cancel(silence: Silence, now: datetime) -> None:
            author = silence.created_by.subject == requester.actor.subject
            if not author and requester.caller.roles.isdisjoint(SILENCE_APPROVERS):
                raise Forbidden("only its author, police or the province admin cancel a silence")
            silence.cancel(requester.actor, now)

        return await self._change(silence_id, requester, "cancelled", cancel)

    async def list(self, uscc: str, requester: Requester) -> Sequence[Silence]:
        """Silences in scope, newest first (at most 200)."""
        async with self.unit_of_work() as uow:
            return await uow.silences.list(uscc, requester.scope, MAX_PAGE_SIZE)

    async def _change(
        self,
        silence_id: str,
        requester: Requester,
        named: str,
        change: Callable[[Silence, datetime], None],
    ) -> Silence:
        try:
            key = uuid.UUID(silence_id)
        except ValueError as exc:
            raise NotFound("silences", silence_id) from exc
        async with self.unit_of_work() as uow:
            silence = await uow.silences.get(key, requester.scope, for_update=True)
            if silence is None:
                raise NotFound("silences", silence_id)
            now = self.clock()
            change(silence, now)
            await uow.silences.save(silence)
            unit = await uow.units.get(silence.uscc) or UnitFacts(silence.uscc, "", "")
            uow.publish(SilenceChanged(silence, named, unit, requester.actor, now))
            await uow.commit()
        return silence

import type { AlarmRead, RouteRead } from "../api/types";

/** One line of the alarm desk: what the list and the live events both tell of an alarm. */
export interface AlarmRow {
  id: string;
  uscc: string | null;
  unitName: string | null;
  kind: string | null;
  priority: number;
  status: string | null;
  occurredAt: string | null;
  receivedAt: string | null;
  description: string | null;
  /** The silence that suppressed it: shown, but it rings nobody's bell. */
  silenceId: string | null;
  /** What the row tells of each route: what the party found, whether it let its deadline pass. */
  routes: RouteState[];
}

export type RouteState = Pick<RouteRead, "id" | "party" | "acknowledgement_outcome" | "deadline_missed_at">;

/** The routes an event's `change` carries: intake's, an acknowledgement's, an escalation's, a missed deadline's. */
interface RouteChange {
  routes?: RouteState[] | null;
  route?: RouteState | null;
  missed?: RouteState | null;
  escalated_to?: RouteState | null;
}

/** The `data` of one live alarm event (the alarm's summary, what the change adds under `change`). */
export interface AlarmEventData {
  id: string;
  uscc?: string | null;
  unit_name?: string | null;
  kind?: string | null;
  priority?: number;
  status?: string | null;
  occurred_at?: string | null;
  received_at?: string | null;
  silence_id?: string | null;
  change?: ({ description?: string | null } & RouteChange) | null;
}

export interface LiveEvent {
  id: string;
  type: string;
  time?: string;
  subject?: string;
  data?: AlarmEventData;
}

export const OPEN_STATUSES = new Set(["received", "routed", "acknowledged", "dispatched", "on_scene"]);

export function rowFromAlarm(alarm: AlarmRead): AlarmRow {
  return {
    id: alarm.id,
    uscc: alarm.uscc,
    unitName: alarm.unit?.name ?? null,
    kind: alarm.kind,
    priority: alarm.priority,
    status: alarm.status,
    occurredAt: alarm.occurred_at,
    receivedAt: alarm.received_at,
    description: alarm.description,
    silenceId: alarm.silence_id ?? null,
    routes: alarm.routes.map(routeState),
  };
}

/** The rows after one live event: the alarm updated in place, or added on top. Returns whether it is new. */
export function applyEvent(rows: AlarmRow[], data: AlarmEventData): { rows: AlarmRow[]; added: AlarmRow | null } {
  const index = rows.findIndex((row) => row.id === data.id);
  if (index >= 0) {
    const current = rows[index]!;
    const updated: AlarmRow = {
      ...current,
      status: data.status ?? current.status,
      priority: data.priority ?? current.priority,
      unitName: data.unit_name ?? current.unitName,
      routes: mergeRoutes(current.routes, changedRoutes(data)),
    };
    return { rows: rows.map((row, i) => (i === index ? updated : row)), added: null };
  }
  const added: AlarmRow = {
    id: data.id,
    uscc: data.uscc ?? null,
    unitName: data.unit_name ?? null,
    kind: data.kind ?? null,
    priority: data.priority ?? 4,
    status: data.status ?? null,
    occurredAt: data.occurred_at ?? null,
    receivedAt: data.received_at ?? null,
    description: data.change?.description ?? null,
    silenceId: data.silence_id ?? null,
    routes: changedRoutes(data),
  };
  return { rows: [added, ...rows], added };
}

/** Open alarms first, then by priority (1 first), then newest first. */
export function sortRows(rows: AlarmRow[]): AlarmRow[] {
  return [...rows].sort((a, b) => {
    const openA = OPEN_STATUSES.has(a.status ?? "") ? 0 : 1;
    const openB = OPEN_STATUSES.has(b.status ?? "") ? 0 : 1;
    if (openA !== openB) return openA - openB;
    if (a.priority !== b.priority) return a.priority - b.priority;
    return (b.receivedAt ?? "").localeCompare(a.receivedAt ?? "");
  });
}

function routeState(route: RouteState): RouteState {
  const { id, party, acknowledgement_outcome, deadline_missed_at } = route;
  return { id, party, acknowledgement_outcome: acknowledgement_outcome ?? null, deadline_missed_at: deadline_missed_at ?? null };
}

function changedRoutes(data: AlarmEventData): RouteState[] {
  const change = data.change;
  if (!change) return [];
  return [...(change.routes ?? []), change.route, change.missed, change.escalated_to]
    .filter((route): route is RouteState => Boolean(route?.id))
    .map(routeState);
}

/** Routes known so far, updated in place by id; new ones appended. */
export function mergeRoutes(known: RouteState[], changed: RouteState[]): RouteState[] {
  if (changed.length === 0) return known;
  const byId = new Map(changed.map((route) => [route.id, route]));
  const merged = known.map((route) => byId.get(route.id) ?? route);
  return [...merged, ...changed.filter((route) => !known.some((k) => k.id === route.id))];
}

/** What parties found on site (any acknowledgement outcome other than police taking the alarm), once each. */
export function siteFindings(row: Pick<AlarmRow, "routes">): string[] {
  const found = row.routes.map((route) => route.acknowledgement_outcome).filter((o): o is NonNullable<typeof o> => !!o && o !== "accepted");
  return [...new Set(found)];
}

/** Whether some party let its deadline pass. */
export function deadlineMissed(row: Pick<AlarmRow, "routes">): boolean {
  return row.routes.some((route) => route.deadline_missed_at);
}

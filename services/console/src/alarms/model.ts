import type { AlarmRead } from "../api/types";

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
  change?: { description?: string | null } | null;
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

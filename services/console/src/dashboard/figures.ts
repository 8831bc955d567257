import type { FiguresRead, UnitFiguresRead } from "../api/types";
import type { MessageKey } from "../i18n/messages";

type DeviceRow = FiguresRead["rows"][number];
type UnitRow = UnitFiguresRead["rows"][number];

/** A figure the dashboard shows, charts by group and colours the map by. */
export type Figure =
  | "key_units"
  | "filing_rate"
  | "drills_overdue"
  | "hazards_overdue"
  | "online_rate"
  | "compliance_rate"
  | "devices"
  | "offline_critical";

export interface FigureDefinition {
  label: MessageKey;
  /** A rate is shown in percent (0–100 with one decimal); a count as it is. */
  rate: boolean;
  /** Whether more is worse (the map goes from pale to red instead of pale to blue). */
  alarming: boolean;
  /** Which route answers it: the unit registry's dossier figures or the device inventory's. */
  source: "units" | "devices";
}

export const FIGURES: Record<Figure, FigureDefinition> = {
  key_units: { label: "dashboard.keyUnitCount", rate: false, alarming: false, source: "units" },
  filing_rate: { label: "dashboard.filingRate", rate: true, alarming: false, source: "units" },
  drills_overdue: { label: "dashboard.drillsOverdue", rate: false, alarming: true, source: "units" },
  hazards_overdue: { label: "dashboard.hazardsOverdue", rate: false, alarming: true, source: "units" },
  online_rate: { label: "dashboard.onlineRate", rate: true, alarming: false, source: "devices" },
  compliance_rate: { label: "dashboard.complianceRate", rate: true, alarming: false, source: "devices" },
  devices: { label: "dashboard.devices", rate: false, alarming: false, source: "devices" },
  offline_critical: { label: "dashboard.offlineCritical", rate: false, alarming: true, source: "devices" },
};

export const FIGURE_ORDER = Object.keys(FIGURES) as Figure[];

/** The counts the figures are computed from: sums of groups add up, rates are recomputed from them. */
interface Counts {
  devices: number;
  online: number;
  reporting: number;
  critical: number;
  evaluated: number;
  compliant: number;
  keyUnits: number;
  filed: number;
  drillsOverdue: number;
  hazardsOverdue: number;
}

const EMPTY: Counts = {
  devices: 0, online: 0, reporting: 0, critical: 0, evaluated: 0, compliant: 0,
  keyUnits: 0, filed: 0, drillsOverdue: 0, hazardsOverdue: 0,
};

const percent = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 10 : 0);

function values(counts: Counts): Record<Figure, number> {
  return {
    key_units: counts.keyUnits,
    filing_rate: percent(counts.filed, counts.keyUnits),
    drills_overdue: counts.drillsOverdue,
    hazards_overdue: counts.hazardsOverdue,
    online_rate: percent(counts.online, counts.reporting),
    compliance_rate: percent(counts.compliant, counts.evaluated),
    devices: counts.devices,
    offline_critical: counts.critical,
  };
}

/** Adds device and unit rows up per group (`groupOf` their key; null to leave a row out), rates in percent. */
export function figuresBy(
  deviceRows: readonly DeviceRow[],
  unitRows: readonly UnitRow[],
  groupOf: (key: string) => string | null = (key) => key,
): Map<string, Record<Figure, number>> {
  const sums = new Map<string, Counts>();
  const sumOf = (key: string | null | undefined): Counts | null => {
    const group = key ? groupOf(key) : null;
    if (!group) return null;
    let sum = sums.get(group);
    if (!sum) sums.set(group, (sum = { ...EMPTY }));
    return sum;
  };
  for (const row of deviceRows) {
    const sum = sumOf(row.key);
    if (!sum) continue;
    sum.devices += row.devices;
    sum.online += row.online;
    sum.reporting += row.online + row.offline + row.fault;
    sum.critical += row.offline_critical;
    sum.evaluated += row.units_evaluated;
    sum.compliant += row.units_compliant;
  }
  for (const row of unitRows) {
    const sum = sumOf(row.key);
    if (!sum) continue;
    sum.keyUnits += row.key_units;
    sum.filed += row.key_units_filed;
    sum.drillsOverdue += row.drills_overdue;
    sum.hazardsOverdue += row.hazards_overdue;
  }
  return new Map([...sums].sort(([a], [b]) => a.localeCompare(b)).map(([key, sum]) => [key, values(sum)]));
}

/** The city (GB/T 2260, "210100") of a division code; null for anything else. */
export function cityOf(key: string): string | null {
  return /^21\d{4}$/.test(key) ? `${key.slice(0, 4)}00` : null;
}

/** The figures per city: districts' rows added up into their city's, rates recomputed from the counts. */
export function figuresByCity(deviceRows: readonly DeviceRow[], unitRows: readonly UnitRow[] = []) {
  return figuresBy(deviceRows, unitRows, cityOf);
}

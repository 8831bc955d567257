import type { components } from "../api/schema";

type Schemas = components["schemas"];
export type ExchangeFigures = Schemas["ExchangeFiguresRead"];
export type ExchangeFigurePage = Schemas["ExchangeFigurePage"];
export type SubmitterHealth = Schemas["SubmitterHealthRead"];
export type ExchangeRecord = Schemas["RecordRead"];
export type RateName = "rejection_rate" | "late_rate" | "inspected_rate" | "real_name_rate" | "xray_rate" | "certificate_rate";

/** The early-warning rules the console has words for (early_warning_rules.yaml of the exchange). */
export const RULES = [
  "fuel-buyer-many-stations",
  "fuel-certificate-litres-exceeded",
  "fuel-certificate-expired",
  "express-site-xray-below-100",
  "express-prohibited-item",
];

/** The early warnings raised over the period, every rule. */
export function warningTotal(warnings: readonly { count: number }[]): number {
  return warnings.reduce((total, w) => total + w.count, 0);
}

/** A dataset sector systems submit, and what the console shows of it. */
export interface DatasetInfo {
  sector: string;
  dataset: string;
  /** The compliance rates that apply (postal: the 三个100%; fuel sales: the certificate match). */
  compliance: RateName[];
  /** Whether its records name a person by resident ID (searchable by the ID number). */
  person: boolean;
  /** The fields summarising one record in a list. */
  summary: string[];
}

/** The datasets of issue 8 (the gateway's /api/v1/exchange/{sector}/{dataset}). */
export const DATASETS: DatasetInfo[] = [
  {
    sector: "postal", dataset: "shipments", compliance: ["inspected_rate", "real_name_rate", "xray_rate"], person: true,
    summary: ["waybill_no", "site_name", "sender_name", "sender_id_number", "sender_phone", "item_name"],
  },
  {
    sector: "commerce", dataset: "fuel-sales", compliance: ["certificate_rate"], person: true,
    summary: ["station_uscc", "buyer_name", "buyer_id_number", "litres", "container", "certificate_no"],
  },
  {
    sector: "transport", dataset: "passenger-tickets", compliance: [], person: true,
    summary: ["ticket_no", "passenger_name", "passenger_id_number", "route", "departure_station", "departure_at"],
  },
  {
    sector: "transport", dataset: "freight-consignments", compliance: [], person: true,
    summary: ["waybill_no", "consignor_name", "consignor_id_number", "goods", "weight_kg", "inspected"],
  },
  { sector: "transport", dataset: "vehicle-positions", compliance: [], person: false, summary: [] },
  { sector: "banking", dataset: "outlet-events", compliance: [], person: false, summary: [] },
];

/** "postal/shipments". */
export function datasetKey(info: Pick<DatasetInfo, "sector" | "dataset">): string {
  return `${info.sector}/${info.dataset}`;
}

/** The datasets a caller watches: a regulator its own sector's, everyone else every sector's. */
export function datasetsFor(roles: readonly string[], sector: string | null | undefined): DatasetInfo[] {
  const regulatorOnly = roles.includes("regulator") && !roles.includes("police") && !roles.includes("province-admin");
  return regulatorOnly ? DATASETS.filter((d) => d.sector === sector) : DATASETS;
}

/** Finding a person's records by the ID number: police and the province admin (the gateway enforces the same). */
export function maySearchPersons(roles: readonly string[]): boolean {
  return roles.includes("police") || roles.includes("province-admin");
}

/** A rate (0..1) as a percentage with one decimal ("99.5%"), "—" without a base; never rounded to 0 or 100%
 * when it is not (a 99.99% X-ray rate misses the 100% target and must not read as met). */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  const percent = (Math.round(rate * 1000) / 10).toFixed(1);
  if (percent === "100.0" && rate < 1) return ">99.9%";
  if (percent === "0.0" && rate > 0) return "<0.1%";
  return `${percent}%`;
}

/** How a compliance rate reads against its 100% target; a rejection or late rate against zero. */
export function rateTone(name: RateName, rate: number | null | undefined): "success" | "warning" | "error" | "default" {
  if (rate === null || rate === undefined) return "default";
  if (name === "rejection_rate" || name === "late_rate") return rate < 0.01 ? "success" : rate > 0.2 ? "error" : "warning";
  return rate >= 1 ? "success" : rate >= 0.95 ? "warning" : "error";
}

/** Every day from `since` to `until` (YYYY-MM-DD, inclusive). */
export function daysBetween(since: string, until: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${until}T00:00:00Z`);
  for (let t = Date.parse(`${since}T00:00:00Z`); t <= end && days.length < 400; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export interface DayVolume {
  day: string;
  received: number;
  rejected: number;
}

/** Received and rejected records per receipt day over the page's period, days without data at zero. */
export function volumesByDay(page: Pick<ExchangeFigurePage, "since" | "until" | "items">): DayVolume[] {
  const byDay = new Map(page.items.filter((item) => item.day).map((item) => [item.day as string, item]));
  return daysBetween(page.since, page.until).map((day) => ({
    day,
    received: byDay.get(day)?.received ?? 0,
    rejected: byDay.get(day)?.rejected ?? 0,
  }));
}

/** The alarms of kind early_warning (of one sector, when given), newest first. */
export function earlyWarnings<T extends { kind?: string | null; sector?: string | null; received_at?: string | null }>(
  alarms: readonly T[],
  sector?: string,
): T[] {
  return alarms
    .filter((alarm) => alarm.kind === "early_warning" && (!sector || !alarm.sector || alarm.sector === sector))
    .sort((a, b) => (b.received_at ?? "").localeCompare(a.received_at ?? ""));
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";

/** Whether a resident ID number is well formed (18 characters, GB 11643 check character). */
export function isResidentId(value: string): boolean {
  const number = value.trim().toUpperCase();
  if (!/^[0-9]{17}[0-9X]$/.test(number)) return false;
  const sum = ID_WEIGHTS.reduce((total, weight, i) => total + weight * Number(number[i]), 0);
  return ID_CHECK[sum % 11] === number[17];
}

/** A record's summary fields (those it has), for a list row. */
export function summaryFields(record: Pick<ExchangeRecord, "sector" | "dataset" | "fields">): [string, unknown][] {
  const info = DATASETS.find((d) => d.sector === record.sector && d.dataset === record.dataset);
  const names = info?.summary.length ? info.summary : Object.keys(record.fields).slice(0, 6);
  return names.filter((name) => record.fields[name] !== undefined && record.fields[name] !== null).map((name) => [name, record.fields[name]]);
}

/** Status order of the health table: failing first, then late, then healthy. */
export function byUrgency(a: Pick<SubmitterHealth, "status" | "client_id">, b: Pick<SubmitterHealth, "status" | "client_id">): number {
  const rank = { failing: 0, late: 1, healthy: 2 } as const;
  return rank[a.status] - rank[b.status] || a.client_id.localeCompare(b.client_id);
}

import dayjs from "dayjs";
import type { Problem } from "../api/client";
import type { components } from "../api/schema";
import type { ChartOption } from "../charts/EChart";
import { pointerPath, type FieldProblem } from "../dossier/problems";
import { ZONE } from "../lib/time";

type Schemas = components["schemas"];
export type ScoreRead = Schemas["ScoreRead"];
export type IndicatorScoreRead = Schemas["IndicatorScoreRead"];
export type ScoreEvidenceRead = Schemas["ScoreEvidenceRead"];
export type ScoreHistoryRead = Schemas["ScoreHistoryRead"];
export type ScoreSummaryRead = Schemas["ScoreSummaryRead"];
export type RankingEntryRead = Schemas["RankingEntryRead"];
export type SelfAssessmentRead = Schemas["SelfAssessmentRead"];
export type Grade = Schemas["Grade"];

/** A self-assessment as the review queue lists it, with its unit, due time and whether it is overdue. */
export type ReviewQueueItem = SelfAssessmentRead;
export type Mover = Schemas["MoverRead"];
export type MoversRead = Schemas["MoversRead"];

export const GRADES: Grade[] = ["exemplary", "standard", "rectification"];
export const GRADE_COLOR: Record<Grade, string> = { exemplary: "green", standard: "blue", rectification: "red" };
const GRADE_CHART_COLOR: Record<Grade, string> = { exemplary: "#16a34a", standard: "#1d4ed8", rectification: "#dc2626" };

/** The month being scored now (YYYY-MM in Asia/Shanghai): the period of a new self-assessment. */
export function currentPeriod(now: dayjs.Dayjs = dayjs()): string {
  return now.tz(ZONE).format("YYYY-MM");
}

/** Where an evidence kind lives in the console: a tab of the unit's dossier, or a page of its own. */
const EVIDENCE_TAB: Record<string, string> = {
  filing: "filing",
  drill: "plans",
  training: "staff",
  inspection: "inspections",
  hazard: "inspections",
  device: "devices",
  compliance: "devices",
};

/** The console link of a piece of evidence of `kind` about unit `uscc`, or null when it has none. */
export function evidenceLink(uscc: string, kind: string | null | undefined): string | null {
  if (!kind) return null;
  if (kind === "incident") return "/alarms";
  const tab = EVIDENCE_TAB[kind];
  return tab ? `/units/${uscc}?tab=${tab}` : null;
}

/** The dossier tab an evidence kind links to (for its label), or null. */
export function evidenceTab(kind: string | null | undefined): string | null {
  return kind ? (EVIDENCE_TAB[kind] ?? null) : null;
}

export interface Family {
  family: string;
  points: number;
  weight: number;
  indicators: IndicatorScoreRead[];
}

/** Indicators grouped by family in the model's order, each family with its points out of its weight. */
export function families(indicators: readonly IndicatorScoreRead[]): Family[] {
  const found = new Map<string, Family>();
  for (const indicator of indicators) {
    const key = indicator.family ?? "";
    const family = found.get(key) ?? { family: key, points: 0, weight: 0, indicators: [] };
    family.points = round(family.points + indicator.points);
    family.weight = round(family.weight + indicator.weight);
    family.indicators.push(indicator);
    found.set(key, family);
  }
  return [...found.values()];
}

/** Points to two decimals, as the scoring gives them. */
export function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A signed change: "+3.5", "−2", "0"; "—" when there is none. */
export function signed(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const r = round(value);
  return r > 0 ? `+${r}` : r < 0 ? `−${Math.abs(r)}` : "0";
}

/** The history chart: one bar per period (oldest first) coloured by its grade. */
export function historyOption(periods: readonly ScoreSummaryRead[], gradeLabel: (grade: string | null) => string, name: string): ChartOption {
  const ordered = [...periods].filter((p) => p.period).sort((a, b) => String(a.period).localeCompare(String(b.period)));
  return {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 16, top: 24, bottom: 32 },
    xAxis: { type: "category", data: ordered.map((p) => p.period) },
    yAxis: { type: "value", min: 0, max: 100 },
    series: [
      {
        type: "bar",
        name,
        barMaxWidth: 40,
        label: { show: true, position: "top" },
        data: ordered.map((p) => ({
          value: p.total,
          name: gradeLabel(p.grade),
          itemStyle: { color: p.grade ? GRADE_CHART_COLOR[p.grade] : "#94a3b8" },
        })),
      },
    ],
  };
}

/** The form's values of a self-assessment: points and note per indicator, keyed by the indicator. */
export type ClaimValues = Record<string, { points?: number | null; note?: string }>;

/** A self-assessment's body: every indicator of the score's model, in its order, with the points claimed. */
export function assessmentBody(
  period: string,
  indicators: readonly IndicatorScoreRead[],
  claims: ClaimValues,
  note: string | undefined,
): Schemas["SelfAssessmentCreate"] {
  return {
    period,
    items: indicators.map((indicator) => {
      const claim = claims[indicator.indicator ?? ""] ?? {};
      return { indicator: indicator.indicator ?? "", points: claim.points ?? 0, note: claim.note?.trim() || null };
    }),
    note: note?.trim() || null,
  };
}

/** The reviewer's values: new points and a reason per indicator; an indicator without points is left as claimed. */
export type AdjustValues = Record<string, { points?: number | null; reason?: string }>;

/** The adjustments of a review (only indicators given points), in the order sent. */
export function adjustmentsOf(indicators: readonly string[], values: AdjustValues): Schemas["AdjustmentIn"][] {
  return indicators
    .filter((indicator) => typeof values[indicator]?.points === "number")
    .map((indicator) => ({
      indicator,
      points: values[indicator]!.points as number,
      reason: values[indicator]!.reason?.trim() ?? "",
    }));
}

/**
 * A problem+json answer placed on a form keyed by indicator: an error at `/<list>/<i>/<field>` goes to
 * [`key`, order[i], field]; one at `/<name>` to [name] when the form has it; the rest is the message.
 */
export function placeProblems(
  error: unknown,
  list: string,
  order: readonly string[],
  key: string,
  topFields: readonly string[],
): { fields: FieldProblem[]; message: string } {
  const problem = (error && typeof error === "object" ? error : { detail: String(error) }) as Problem;
  const byName = new Map<string, FieldProblem>();
  const other: string[] = [];
  const add = (name: (string | number)[], detail: string) => {
    const id = JSON.stringify(name);
    const found = byName.get(id) ?? { name, errors: [] };
    found.errors.push(detail);
    byName.set(id, found);
  };
  for (const item of problem.errors ?? []) {
    const path = pointerPath(item.pointer ?? "");
    const detail = item.detail ?? "";
    const [head, index, field] = path;
    if (head === list && typeof index === "number" && order[index] !== undefined && typeof field === "string") {
      add([key, order[index], field === "indicator" ? "points" : field], detail);
    } else if (path.length === 1 && typeof head === "string" && topFields.includes(head)) {
      add([head], detail);
    } else {
      other.push(`${item.pointer ?? ""} ${detail}`.trim());
    }
  }
  const general = byName.size > 0 && other.length === 0 ? "" : (problem.detail ?? problem.title ?? "");
  return { fields: [...byName.values()], message: [general, ...other].filter(Boolean).join("; ") };
}

export interface ComparisonRow {
  indicator: string;
  name: string;
  weight: number;
  claimed: number | null;
  note: string | null;
  computed: number | null;
  adjusted: number | null;
  reason: string | null;
}

/** Per indicator: the points the unit claims beside the platform's own, and any reviewer's adjustment. */
export function comparison(assessment: SelfAssessmentRead, score: ScoreRead | undefined): ComparisonRow[] {
  const computed = new Map((score?.indicators ?? []).map((i) => [i.indicator ?? "", i]));
  const adjusted = new Map(assessment.adjustments.map((a) => [a.indicator ?? "", a]));
  const claimed = new Map(assessment.items.map((c) => [c.indicator ?? "", c]));
  const order = [...computed.keys(), ...[...claimed.keys()].filter((k) => !computed.has(k))];
  return order.map((indicator) => {
    const platform = computed.get(indicator);
    const claim = claimed.get(indicator);
    const adjustment = adjusted.get(indicator);
    return {
      indicator,
      name: platform?.name ?? indicator,
      weight: platform?.weight ?? 0,
      claimed: claim ? claim.points : null,
      note: claim?.note ?? null,
      computed: platform ? platform.points : null,
      adjusted: adjustment ? adjustment.points : null,
      reason: adjustment?.reason ?? null,
    };
  });
}

import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import {
  adjustmentsOf,
  assessmentBody,
  comparison,
  currentPeriod,
  evidenceLink,
  families,
  historyOption,
  placeProblems,
  signed,
  type IndicatorScoreRead,
  type SelfAssessmentRead,
} from "./model";

const USCC = "91210102MA0LN001X3";

const indicator = (family: string, name: string, weight: number, points: number): IndicatorScoreRead => ({
  family, indicator: name, name, weight, points, formula: "presence", facts: [], explanation: "",
});

describe("evidence links", () => {
  it("lead each kind to the dossier tab where it lives, incidents to the alarm desk", () => {
    expect(evidenceLink(USCC, "hazard")).toBe(`/units/${USCC}?tab=inspections`);
    expect(evidenceLink(USCC, "inspection")).toBe(`/units/${USCC}?tab=inspections`);
    expect(evidenceLink(USCC, "drill")).toBe(`/units/${USCC}?tab=plans`);
    expect(evidenceLink(USCC, "training")).toBe(`/units/${USCC}?tab=staff`);
    expect(evidenceLink(USCC, "filing")).toBe(`/units/${USCC}?tab=filing`);
    expect(evidenceLink(USCC, "device")).toBe(`/units/${USCC}?tab=devices`);
    expect(evidenceLink(USCC, "compliance")).toBe(`/units/${USCC}?tab=devices`);
    expect(evidenceLink(USCC, "incident")).toBe("/alarms");
    expect(evidenceLink(USCC, "something_new")).toBeNull();
    expect(evidenceLink(USCC, null)).toBeNull();
  });
});

describe("families", () => {
  it("group indicators in the model's order and add up points of weight", () => {
    const grouped = families([
      indicator("organisation", "filing_accepted", 12, 12),
      indicator("hazards", "hazards_on_time", 10, 9.23),
      indicator("organisation", "trainings", 8, 4.5),
      indicator("hazards", "hazards_rectified_late", 10, 5),
    ]);
    expect(grouped.map((f) => [f.family, f.points, f.weight, f.indicators.length])).toEqual([
      ["organisation", 16.5, 20, 2],
      ["hazards", 14.23, 20, 2],
    ]);
  });
});

describe("history chart", () => {
  it("puts periods oldest first, coloured by grade", () => {
    const option = historyOption(
      [
        { period: "2026-11", total: 67.31, grade: "rectification", band: null, model_version: null, grade_reason: null, computed_at: null },
        { period: "2026-10", total: 88, grade: "standard", band: null, model_version: null, grade_reason: null, computed_at: null },
      ],
      (g) => String(g),
      "总分",
    ) as { xAxis: { data: string[] }; series: { data: { value: number; itemStyle: { color: string } }[] }[] };
    expect(option.xAxis.data).toEqual(["2026-10", "2026-11"]);
    expect(option.series[0]!.data.map((d) => d.value)).toEqual([88, 67.31]);
    expect(option.series[0]!.data[1]!.itemStyle.color).toBe("#dc2626");
  });
});

describe("a self-assessment's body", () => {
  it("gives every indicator of the model, in order, with 0 where nothing was claimed", () => {
    const body = assessmentBody(
      "2026-11",
      [indicator("organisation", "filing_accepted", 12, 12), indicator("drills", "drills", 15, 15)],
      { drills: { points: 14, note: "  演练记录齐全 " } },
      " ",
    );
    expect(body).toEqual({
      period: "2026-11",
      items: [
        { indicator: "filing_accepted", points: 0, note: null },
        { indicator: "drills", points: 14, note: "演练记录齐全" },
      ],
      note: null,
    });
  });
  it("is for the current month in Liaoning's zone", () => {
    expect(currentPeriod(dayjs("2026-11-30T17:00:00Z"))).toBe("2026-12");
  });
});

describe("a review's adjustments", () => {
  it("hold only the indicators given points, in the table's order", () => {
    expect(
      adjustmentsOf(["filing_accepted", "drills", "devices_online"], {
        devices_online: { points: 3, reason: " 在线率不足 " },
        filing_accepted: { points: undefined, reason: "ignored" },
        drills: { points: 0, reason: "" },
      }),
    ).toEqual([
      { indicator: "drills", points: 0, reason: "" },
      { indicator: "devices_online", points: 3, reason: "在线率不足" },
    ]);
  });
});

describe("problems placed on an indicator's fields", () => {
  it("map /<list>/<i>/<field> to the indicator sent at i, top fields to themselves, the rest to the message", () => {
    const found = placeProblems(
      {
        status: 400,
        detail: "The request has invalid fields.",
        errors: [
          { pointer: "/adjustments/1/reason", detail: "an adjustment needs its reason" },
          { pointer: "/adjustments/0/points", detail: "between 0 and 15" },
          { pointer: "/adjustments/0/indicator", detail: "given twice" },
          { pointer: "/note", detail: "at most 2000 characters" },
          { pointer: "/decision", detail: "agree or adjust" },
        ],
      },
      "adjustments",
      ["drills", "devices_online"],
      "adjust",
      ["note"],
    );
    expect(found.fields).toEqual([
      { name: ["adjust", "devices_online", "reason"], errors: ["an adjustment needs its reason"] },
      { name: ["adjust", "drills", "points"], errors: ["between 0 and 15", "given twice"] },
      { name: ["note"], errors: ["at most 2000 characters"] },
    ]);
    expect(found.message).toBe("The request has invalid fields.; /decision agree or adjust");
  });
  it("keep a refusal without fields as the message", () => {
    expect(placeProblems({ status: 409, detail: "one awaits review" }, "items", [], "claims", [])).toEqual({
      fields: [],
      message: "one awaits review",
    });
  });
});

describe("claimed against computed", () => {
  it("lists the model's indicators with the unit's points, the platform's and any adjustment", () => {
    const assessment = {
      items: [
        { indicator: "drills", points: 15, note: "两次演练" },
        { indicator: "filing_accepted", points: 12, note: null },
      ],
      adjustments: [{ indicator: "drills", points: 10, reason: "一次演练无记录" }],
    } as unknown as SelfAssessmentRead;
    const rows = comparison(assessment, {
      indicators: [indicator("organisation", "filing_accepted", 12, 12), indicator("drills", "drills", 15, 7.5)],
    } as never);
    expect(rows.map((r) => [r.indicator, r.weight, r.claimed, r.computed, r.adjusted, r.reason])).toEqual([
      ["filing_accepted", 12, 12, 12, null, null],
      ["drills", 15, 15, 7.5, 10, "一次演练无记录"],
    ]);
  });
  it("signs a change", () => {
    expect([signed(3.456), signed(-2), signed(0), signed(null)]).toEqual(["+3.46", "−2", "0", "—"]);
  });
});

import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeGateway, Harness, json, type Call } from "../test/harness";
import { currentPeriod } from "./model";
import { ScoreCard } from "./ScoreCard";

// Canvas charts do not draw in jsdom: the chart's label and option are what a test can see.
vi.mock("../charts/EChart", async (importOriginal) => {
  const original = await importOriginal<typeof import("../charts/EChart")>();
  return {
    ...original,
    EChart: ({ label, option }: { label: string; option: unknown }) => (
      <div role="img" aria-label={label} data-option={JSON.stringify(option)} />
    ),
  };
});

const USCC = "91210102MA0LN001X3";

const evidence = (kind: string, note: string) => ({ kind, item_id: `${kind}-0001-uuid`, event_ids: ["e1"], note });

const SCORE = {
  uscc: USCC, unit_name: "沈阳太原街商贸中心有限公司", jurisdiction: "210102", sector: "commerce", period: "2026-11",
  model_version: "2026.1", total: 67.31, grade: "rectification", band: "rectification", grade_reason: "veto: major_incident",
  computed_at: "2026-11-25T07:49:58Z", as_of: "2026-11-25",
  indicators: [
    {
      family: "organisation", indicator: "filing_accepted", name: "保卫机构和人员备案经公安机关受理", weight: 12, points: 12,
      formula: "presence", explanation: "filing_accepted holds",
      facts: [{ name: "filing_accepted", value: 1, known: true, evidence: [evidence("filing", "accepted")] }],
    },
    {
      family: "hazards", indicator: "hazards_rectified_late", name: "隐患逾期整改（每项扣5分）", weight: 10, points: 5,
      formula: "deduction", explanation: "hazards_rectified_late_12m = 1, less 5 each",
      facts: [
        {
          name: "hazards_rectified_late_12m", value: 1, known: true,
          evidence: [evidence("hazard", "deadline 2026-11-01, rectified 2026-11-20")],
        },
      ],
    },
  ],
  vetoes: [
    { veto: "major_incident", name: "发生重大刑事案件或重大火灾（一票否决）", evidence: [evidence("incident", "fire_linkage on 2026-11-25")] },
  ],
};

const HISTORY = {
  uscc: USCC,
  periods: [
    { period: "2026-11", model_version: "2026.1", total: 67.31, grade: "rectification", band: "rectification", grade_reason: "veto", computed_at: null },
    { period: "2026-10", model_version: "2026.1", total: 82, grade: "standard", band: "standard", grade_reason: "", computed_at: null },
  ],
  grade_changes: [
    { period: "2026-11", from_grade: "standard", to_grade: "rectification", reason: "veto: major_incident", changed_at: "2026-11-25T07:46:31Z" },
  ],
};

function gateway(extra: Record<string, Response | ((call: Call) => Response)> = {}) {
  return fakeGateway({
    [`GET /api/v1/scores/${USCC}`]: json(SCORE),
    [`GET /api/v1/scores/${USCC}/history`]: json(HISTORY),
    "GET /api/v1/self-assessments": json({ items: [], next_cursor: null }),
    ...extra,
  });
}

describe("the score card", () => {
  it("shows the total, the grade and why, the veto, each indicator with its evidence linked to its tab, the history", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["police"]}>
        <ScoreCard uscc={USCC} />
      </Harness>,
    );
    expect(await screen.findByText("隐患逾期整改（每项扣5分）")).toBeInTheDocument();
    expect(screen.getByTestId("score-grade")).toHaveTextContent("整改");
    // The grade's reason, in the headline and in the grade changes.
    expect(screen.getAllByText("veto: major_incident").length).toBeGreaterThanOrEqual(1);
    const veto = screen.getByRole("alert");
    expect(veto).toHaveTextContent("发生重大刑事案件或重大火灾（一票否决）");
    expect(within(veto).getByRole("link", { name: "报警受理" })).toHaveAttribute("href", "/alarms");
    // The hazard behind the deduction links to 检查与隐患.
    expect(screen.getByRole("link", { name: "检查与隐患" })).toHaveAttribute("href", `/units/${USCC}?tab=inspections`);
    expect(screen.getByText("hazards_rectified_late_12m = 1, less 5 each")).toBeInTheDocument();
    expect(screen.getByText("隐患排查与整改")).toBeInTheDocument();
    const chart = await screen.findByRole("img", { name: "评分趋势" });
    expect(JSON.parse(chart.getAttribute("data-option") ?? "{}").xAxis.data).toEqual(["2026-10", "2026-11"]);
    expect(screen.getAllByText("veto: major_incident")).toHaveLength(2);
    // Police do not assess a unit.
    expect(screen.queryByRole("button", { name: "提交自评" })).toBeNull();
  });

  it("opens an indicator to show its facts and the items behind them", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["police"]}>
        <ScoreCard uscc={USCC} />
      </Harness>,
    );
    await screen.findByText("隐患逾期整改（每项扣5分）");
    const row = screen.getByText("隐患逾期整改（每项扣5分）").closest("tr")!;
    await userEvent.click(within(row).getByRole("button"));
    expect(await screen.findByText("deadline 2026-11-01, rectified 2026-11-20")).toBeInTheDocument();
  });

  it("lets the unit's security staff submit a self-assessment, with refusals placed on the fields", async () => {
    let attempts = 0;
    const fake = gateway({
      // The period's earlier self-assessment, adjusted by the police: its reasons are shown above the form.
      "GET /api/v1/self-assessments": json({
        items: [
          { id: "a0", uscc: USCC, period: currentPeriod(), state: "adjusted", claimed_total: 30, computed_total: 17, items: [],
            adjustments: [{ indicator: "hazards_rectified_late", points: 5, reason: "逾期整改属实" }], note: null,
            model_version: "2026.1", submitted_by: "security-chief-demo", submitted_at: "2026-11-02T08:00:00Z",
            reviewed_by: "police-heping", reviewed_at: "2026-11-03T08:00:00Z", reviewed_total: 17, review_note: "按平台数据",
            unit_name: null, jurisdiction: null, review_due_at: null, overdue: false },
        ],
        next_cursor: null,
      }),
      [`POST /api/v1/scores/${USCC}/self-assessments`]: (call) => {
        attempts += 1;
        if (attempts === 1) {
          return json(
            { status: 400, title: "Bad Request", detail: "The request has invalid fields.",
              errors: [{ pointer: "/items/1/points", detail: "between 0 and 10" }] },
            400,
          );
        }
        const body = JSON.parse(call.body);
        return json({ id: "a1", uscc: USCC, period: body.period, state: "submitted", claimed_total: 22, computed_total: 17, items: body.items,
          adjustments: [], note: null, model_version: "2026.1", submitted_by: "security-chief-demo", submitted_at: "2026-11-25T08:00:00Z",
          reviewed_by: null, reviewed_at: null, reviewed_total: null, review_note: null, unit_name: null, jurisdiction: null,
          review_due_at: null, overdue: false }, 201);
      },
    });
    render(
      <Harness fetch={fake.fetch} roles={["unit-security"]}>
        <ScoreCard uscc={USCC} />
      </Harness>,
    );
    expect(await screen.findByText("逾期整改属实", {}, { timeout: 10000 })).toBeInTheDocument();
    expect(screen.getByText("已调整")).toBeInTheDocument();
    const filing = await screen.findByRole("spinbutton", { name: "保卫机构和人员备案经公安机关受理 自评得分" });
    fireEvent.change(filing, { target: { value: "12" } });
    fireEvent.change(screen.getByRole("spinbutton", { name: "隐患逾期整改（每项扣5分） 自评得分" }), { target: { value: "10" } });
    fireEvent.change(screen.getByRole("textbox", { name: "隐患逾期整改（每项扣5分） 自评说明" }), { target: { value: "已补齐整改材料" } });
    await userEvent.click(screen.getByRole("button", { name: "提交自评" }));
    expect(await screen.findByText("between 0 and 10")).toBeInTheDocument();
    const sent = fake.calls.filter((c) => c.method === "POST");
    expect(JSON.parse(sent[0]!.body).items).toEqual([
      { indicator: "filing_accepted", points: 12, note: null },
      { indicator: "hazards_rectified_late", points: 10, note: "已补齐整改材料" },
    ]);
    await userEvent.click(screen.getByRole("button", { name: "提交自评" }));
    expect(await screen.findByText("本期自评已提交，待公安机关或行业主管部门评审")).toBeInTheDocument();
    expect(screen.getByText("待评审")).toBeInTheDocument();
  });
});

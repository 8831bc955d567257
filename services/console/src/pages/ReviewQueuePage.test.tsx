import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeGateway, Harness, json } from "../test/harness";
import { ReviewQueuePage } from "./ReviewQueuePage";

const USCC = "91210102MA0LN001X3";

const indicator = (name: string, title: string, weight: number, points: number) => ({
  family: "x", indicator: name, name: title, weight, points, formula: "presence", facts: [], explanation: "",
});

const assessment = (id: string, overdue: boolean, state = "submitted") => ({
  id, uscc: USCC, unit_name: id === "a1" ? "沈阳太原街商贸中心有限公司" : "沈阳和平区汽车客运站", jurisdiction: "210102",
  period: "2026-11", model_version: "2026.1", state, claimed_total: 27, computed_total: 19.5, note: "本期整改到位",
  items: [
    { indicator: "filing_accepted", points: 12, note: null },
    { indicator: "drills", points: 15, note: "两次演练" },
  ],
  submitted_by: "security-chief-demo", submitted_at: "2026-11-20T02:00:00Z", reviewed_by: null, reviewed_at: null,
  adjustments: [], reviewed_total: null, review_note: null, review_due_at: "2026-11-24T02:00:00Z", overdue,
});

function gateway() {
  let reviewed = false;
  return fakeGateway({
    "GET /api/v1/self-assessments": () =>
      json({ items: reviewed ? [assessment("a2", false)] : [assessment("a1", true), assessment("a2", false)], next_cursor: null }),
    [`GET /api/v1/scores/${USCC}`]: json({
      uscc: USCC, period: "2026-11", total: 19.5, grade: "rectification", indicators: [
        indicator("filing_accepted", "保卫机构和人员备案经公安机关受理", 12, 12),
        indicator("drills", "12个月内应急演练至少2次", 15, 7.5),
      ], vetoes: [],
    }),
    "POST /api/v1/self-assessments/a1/review": (call) => {
      const body = JSON.parse(call.body);
      if (body.adjustments?.[0]?.points === 15) {
        return json({ status: 400, detail: "The request has invalid fields.", errors: [{ pointer: "/adjustments/0/points", detail: "the points the unit claims already" }] }, 400);
      }
      reviewed = true;
      return json({ ...assessment("a1", false, body.decision === "agree" ? "agreed" : "adjusted"), adjustments: body.adjustments ?? [] });
    },
  });
}

describe("the review queue", () => {
  it("lists submitted self-assessments with their due time, the overdue one marked", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["police"]}>
        <ReviewQueuePage />
      </Harness>,
    );
    const first = (await screen.findByRole("link", { name: "沈阳太原街商贸中心有限公司" })).closest("tr")!;
    expect(first).toHaveAttribute("data-overdue", "true");
    expect(within(first).getByText("已逾期")).toBeInTheDocument();
    expect(within(first).getByText("2026-11-24 10:00:00")).toBeInTheDocument();
    const second = screen.getByRole("link", { name: "沈阳和平区汽车客运站" }).closest("tr")!;
    expect(second).not.toHaveAttribute("data-overdue");
    const query = fake.calls.find((c) => c.url.pathname === "/api/v1/self-assessments")!.url.searchParams;
    expect(query.get("state")).toBe("submitted");
  });

  it("opens one to compare claimed and computed points, asks a reason for an adjustment, then updates the list", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["police"]}>
        <ReviewQueuePage />
      </Harness>,
    );
    const row = (await screen.findByRole("link", { name: "沈阳太原街商贸中心有限公司" })).closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: "评审" }));
    const drills = (await screen.findByText("12个月内应急演练至少2次")).closest("tr")!;
    expect(within(drills).getByText("两次演练")).toBeInTheDocument();
    expect(within(drills).getByText("7.5")).toBeInTheDocument();
    expect(within(drills).getByText("+7.5")).toBeInTheDocument();

    // Nothing adjusted: the reviewer is told to adjust one indicator at least.
    await userEvent.click(screen.getByRole("button", { name: "调整" }));
    expect(await screen.findByText("请至少为一项指标填写调整后得分和理由")).toBeInTheDocument();

    // Points without a reason: refused before sending.
    const points = screen.getByRole("spinbutton", { name: "12个月内应急演练至少2次 调整后得分" });
    fireEvent.change(points, { target: { value: "10" } });
    await userEvent.click(screen.getByRole("button", { name: "调整" }));
    expect(await screen.findByText("调整得分须说明理由")).toBeInTheDocument();
    expect(fake.calls.filter((c) => c.method === "POST")).toHaveLength(0);

    fireEvent.change(screen.getByRole("textbox", { name: "12个月内应急演练至少2次 调整理由" }), { target: { value: "一次演练无记录" } });
    await userEvent.click(screen.getByRole("button", { name: "调整" }));
    await waitFor(() => expect(screen.queryByRole("link", { name: "沈阳太原街商贸中心有限公司" })).toBeNull());
    const post = fake.calls.find((c) => c.method === "POST")!;
    expect(JSON.parse(post.body)).toEqual({
      decision: "adjust",
      adjustments: [{ indicator: "drills", points: 10, reason: "一次演练无记录" }],
      note: null,
    });
    expect(screen.getByRole("link", { name: "沈阳和平区汽车客运站" })).toBeInTheDocument();
  });

  it("shows the gateway's refusal on the indicator it names, and agrees", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["regulator"]}>
        <ReviewQueuePage />
      </Harness>,
    );
    const row = (await screen.findByRole("link", { name: "沈阳太原街商贸中心有限公司" })).closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: "评审" }));
    await screen.findByText("12个月内应急演练至少2次");
    fireEvent.change(screen.getByRole("spinbutton", { name: "12个月内应急演练至少2次 调整后得分" }), { target: { value: "15" } });
    fireEvent.change(screen.getByRole("textbox", { name: "12个月内应急演练至少2次 调整理由" }), { target: { value: "有记录" } });
    await userEvent.click(screen.getByRole("button", { name: "调整" }));
    const refused = await screen.findByText("the points the unit claims already");
    expect(refused.closest(".ant-form-item")).toContainElement(screen.getByRole("spinbutton", { name: "12个月内应急演练至少2次 调整后得分" }));
    await userEvent.click(screen.getByRole("button", { name: "认可" }));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === "POST")).toHaveLength(2));
    expect(JSON.parse(fake.calls.filter((c) => c.method === "POST")[1]!.body)).toEqual({ decision: "agree", note: null });
    await waitFor(() => expect(screen.queryByRole("link", { name: "沈阳太原街商贸中心有限公司" })).toBeNull());
  });

  it("lets the province admin look without reviewing", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["province-admin"]}>
        <ReviewQueuePage />
      </Harness>,
    );
    const row = (await screen.findByRole("link", { name: "沈阳太原街商贸中心有限公司" })).closest("tr")!;
    await userEvent.click(within(row).getByRole("button", { name: "查看" }));
    await screen.findByText("12个月内应急演练至少2次");
    expect(screen.queryByRole("button", { name: "认可" })).toBeNull();
  });
});

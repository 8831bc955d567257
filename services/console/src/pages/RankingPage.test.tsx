import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeGateway, Harness, json } from "../test/harness";
import { RankingPage } from "./RankingPage";

const entry = (rank: number, uscc: string, name: string, total: number, grade: string, change: number | null) => ({
  rank, uscc, unit_name: name, jurisdiction: "210102", sector: "commerce", total, grade, previous_total: null, change,
});

function gateway() {
  return fakeGateway({
    "GET /api/v1/jurisdictions": json({ items: [{ code: "210100", name: "沈阳市", children: [{ code: "210102", name: "和平区" }] }] }),
    "GET /api/v1/rankings": json({
      period: "2026-11",
      items: [
        entry(1, "912101026997413893", "沈阳和平区汽车客运站", 91.5, "exemplary", 3),
        entry(2, "91210102MA0LN001X3", "沈阳太原街商贸中心有限公司", 67.31, "rectification", -12.5),
      ],
      next_cursor: null,
    }),
    "GET /api/v1/rankings/movers": json({
      period: "2026-11",
      up: [{ uscc: "912101026997413893", name: "沈阳和平区汽车客运站", jurisdiction: "210102", total: 91.5, previous_total: 88.5, delta: 3,
        grade: "exemplary", previous_grade: "standard" }],
      down: [{ uscc: "91210102MA0LN001X3", name: "沈阳太原街商贸中心有限公司", jurisdiction: "210102", total: 67.31, previous_total: 79.81,
        delta: -12.5, grade: "rectification", previous_grade: "rectification" }],
    }),
  });
}

describe("the ranking", () => {
  it("lists units by rank linked to their score card, with movers up and down, filters sent from the URL", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} path="/rankings?jurisdiction=210102&period=2026-11" roles={["police"]}>
        <RankingPage />
      </Harness>,
    );
    const table = await screen.findByRole("table");
    const unit = await within(table).findByRole("link", { name: "沈阳太原街商贸中心有限公司" }, { timeout: 10000 });
    expect(unit.closest("tr")).toHaveTextContent("67.31");
    expect(unit.closest("tr")).toHaveTextContent("整改");
    expect(unit.closest("tr")).toHaveTextContent("−12.5");
    expect(unit).toHaveAttribute(
      "href",
      "/units/91210102MA0LN001X3?tab=score",
    );
    expect(screen.getByText("2026-11 排名")).toBeInTheDocument();
    const up = await screen.findByTestId("movers-up");
    await waitFor(() => expect(within(up).getByText("+3")).toBeInTheDocument());
    expect(within(up).getByText("达标")).toBeInTheDocument();
    expect(within(screen.getByTestId("movers-down")).getByText("−12.5")).toBeInTheDocument();
    const ranking = fake.calls.find((c) => c.url.pathname === "/api/v1/rankings")!.url.searchParams;
    expect([ranking.get("jurisdiction"), ranking.get("period"), ranking.get("sector")]).toEqual(["210102", "2026-11", null]);
    const movers = fake.calls.find((c) => c.url.pathname === "/api/v1/rankings/movers")!.url.searchParams;
    expect(movers.get("jurisdiction")).toBe("210102");
    await userEvent.click(screen.getByRole("button", { name: "重置" }));
    await waitFor(() =>
      expect(fake.calls.filter((c) => c.url.pathname === "/api/v1/rankings").at(-1)!.url.searchParams.get("jurisdiction")).toBeNull(),
    );
  });
});

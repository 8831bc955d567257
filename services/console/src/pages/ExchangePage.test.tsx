import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeGateway, Harness, json, type Call } from "../test/harness";
import { ExchangePage } from "./ExchangePage";

// antd renders slowly in jsdom on a shared machine: more patience than findBy's default second.
const SLOW = { timeout: 10_000 };
const POSTAL_ORG = "91210200MA0YP3D80R";
const figure = (extra: Record<string, unknown>) => ({
  organisation: null, site: null, jurisdiction: null, received: 0, rejected: 0, late: 0, identity_rejected: 0,
  inspected: 0, xray_screened: 0, prohibited_found: 0, certificate_valid: 0, rejection_rate: null, late_rate: null,
  inspected_rate: null, real_name_rate: null, xray_rate: null, certificate_rate: null, day: null, ...extra,
});
const page = (groupBy: string, items: unknown[]) => ({
  sector: "postal", dataset: "shipments", group_by: groupBy, since: "2026-11-19", until: "2026-11-25", items,
  warnings: [{ rule_id: "express-site-xray-below-100", count: 3, last_raised_at: "2026-11-25T01:00:00Z" }],
});

function figures(call: Call) {
  const groupBy = call.url.searchParams.get("group_by") ?? "submitter";
  const rates = { rejection_rate: 0.2, late_rate: 0, inspected_rate: 0.5, real_name_rate: 0.8, xray_rate: 1 };
  if (groupBy === "day") return json(page("day", [figure({ day: "2026-11-25", received: 4, rejected: 1 })]));
  if (groupBy === "sector") return json(page("sector", [figure({ received: 4, rejected: 1, ...rates })]));
  return json(page("submitter", [figure({ organisation: POSTAL_ORG, received: 4, rejected: 1, ...rates })]));
}

const HEALTH = {
  items: [
    {
      client_id: "sector-postal-demo", organisation: POSTAL_ORG, name: "大连顺捷速递", sector: "postal",
      datasets: ["postal/shipments"], last_batch_at: "2026-11-25T01:00:00Z", batches_24h: 2, records_24h: 5,
      batches_7d: 3, records_7d: 9, rejected_7d: 1, rejection_rate: 0.111111, late_rate: 0.25, status: "healthy",
      expected_interval_hours: 24,
    },
  ],
  failing_rejection_rate: 0.2,
  as_of: "2026-11-25T02:00:00Z",
};

const RECORD = {
  id: "r1", sector: "postal", dataset: "shipments", schema_version: 1, organisation: POSTAL_ORG, batch_id: "b1",
  record_index: 0, jurisdiction: "210102", occurred_at: "2026-11-25T01:00:00Z", received_at: "2026-11-25T01:05:00Z",
  fields: { waybill_no: "SF0001", site_name: "和平区南京北街营业部", sender_name: "张*", sender_id_number: "210102********1233" },
};

function gatewayFor(sector: string | null) {
  return fakeGateway({
    "GET /api/v1/me": json({ roles: [], jurisdiction: null, sector, unit: null }),
    "GET /api/v1/exchange/postal/shipments/figures": figures,
    "GET /api/v1/alarms": json({
      items: [
        { id: "w1", kind: "early_warning", sector: "postal", description: "X光安检率低于100%", status: "routed", jurisdiction: "210102", received_at: "2026-11-25T01:00:00Z" },
        { id: "p1", kind: "panic", sector: "postal", description: "一键报警", status: "routed", jurisdiction: "210102", received_at: "2026-11-25T01:00:00Z" },
      ],
      next_cursor: null,
    }),
    "GET /api/v1/exchange/submitters": json(HEALTH),
    "POST /api/v1/exchange/postal/shipments/records/search": json({
      items: [RECORD], next_cursor: null, disclosure: "masked", personal_kinds: ["resident_id"],
    }),
    "POST /api/v1/exchange/commerce/fuel-sales/records/search": json({ items: [], next_cursor: null, disclosure: "masked", personal_kinds: [] }),
    "POST /api/v1/exchange/transport/passenger-tickets/records/search": json({ items: [], next_cursor: null, disclosure: "masked", personal_kinds: [] }),
    "POST /api/v1/exchange/transport/freight-consignments/records/search": json({ items: [], next_cursor: null, disclosure: "masked", personal_kinds: [] }),
  });
}

describe("the sector data exchange page", () => {
  it("shows a postal regulator its sector's figures, early warnings and submitters, and no person search", async () => {
    const gateway = gatewayFor("postal");
    render(
      <Harness fetch={gateway.fetch} path="/exchange" roles={["regulator"]}>
        <ExchangePage />
      </Harness>,
    );
    const xray = await screen.findByTestId("rate-xray_rate", {}, SLOW);
    await waitFor(() => expect(within(xray).getByText("100.0%")).toBeInTheDocument(), SLOW);
    expect(within(screen.getByTestId("rate-inspected_rate")).getByText("50.0%")).toBeInTheDocument();
    expect(within(screen.getByTestId("rate-rejection_rate")).getByText("20.0%")).toBeInTheDocument();
    expect(screen.queryByTestId("rate-certificate_rate")).toBeNull();
    expect(await screen.findByText("X光安检率低于100%", {}, SLOW)).toBeInTheDocument();
    expect(screen.getByTestId("exchange-warning-counts")).toHaveTextContent("统计周期内共 3 条预警");
    expect(screen.getByText("营业网点过机安检率低于100% × 3")).toBeInTheDocument();
    expect(screen.queryByText("一键报警")).toBeNull();
    expect(screen.getByText(POSTAL_ORG)).toBeInTheDocument();
    expect(screen.queryByRole("tab", { name: "人员记录查询" })).toBeNull();

    await userEvent.click(screen.getByRole("tab", { name: "报送方健康" }));
    expect(await screen.findByText("大连顺捷速递", {}, SLOW)).toBeInTheDocument();
    expect(screen.getByText("正常")).toBeInTheDocument();
    expect(screen.getByText("2 / 5")).toBeInTheDocument();
    expect(screen.getByText("11.1%")).toBeInTheDocument();
  });

  it("lets police find a person's records by the ID number, in the body, masked", async () => {
    const gateway = gatewayFor(null);
    render(
      <Harness fetch={gateway.fetch} path="/exchange" roles={["police"]}>
        <ExchangePage />
      </Harness>,
    );
    await userEvent.click(await screen.findByRole("tab", { name: "人员记录查询" }, SLOW));
    const searches = () => gateway.calls.filter((call) => call.url.pathname.endsWith("/records/search"));
    fireEvent.change(screen.getByLabelText("公民身份号码"), { target: { value: "210102199003071234" } });
    await userEvent.click(screen.getByRole("button", { name: "查询" }));
    expect(await screen.findByText("身份号码格式或校验位不正确", {}, SLOW)).toBeInTheDocument();
    expect(searches()).toHaveLength(0);

    fireEvent.change(screen.getByLabelText("公民身份号码"), { target: { value: "210102199003071233" } });
    await userEvent.click(screen.getByRole("button", { name: "查询" }));
    expect(await screen.findByText("共找到 1 条记录", {}, SLOW)).toBeInTheDocument();
    expect(searches()).toHaveLength(4);
    for (const call of searches()) {
      expect(call.url.search).toBe("");
      expect(JSON.parse(call.body)).toMatchObject({ id_number: "210102199003071233" });
    }
    expect(screen.getByText("sender_id_number: 210102********1233")).toBeInTheDocument();
    expect(screen.queryByText(/210102199003071233/)).toBeNull();
  });
});

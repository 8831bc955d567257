import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeGateway, Harness, json } from "../test/harness";
import { DashboardPage } from "./DashboardPage";

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

const deviceRow = (key: string | null, devices: number) => ({
  key, devices, online: devices - 1, offline: 1, fault: 0, unknown: 0, online_rate: (devices - 1) / devices,
  offline_critical: 1, units: 3, units_evaluated: 2, units_compliant: 1, compliance_rate: 0.5,
});
const unitRow = (key: string | null, keyUnits: number, filed: number, drills: number, hazards: number) => ({
  key, units: 50, key_units: keyUnits, key_units_filed: filed, filing_rate: keyUnits ? filed / keyUnits : 0,
  drills_overdue: drills, hazards_overdue: hazards, units_hazards_overdue: hazards,
});

function gateway() {
  return fakeGateway({
    "GET /api/v1/figures/devices": (call) =>
      json(
        call.url.searchParams.get("group_by") === "sector"
          ? { total: deviceRow(null, 10), rows: [deviceRow("postal", 10)] }
          : { total: deviceRow(null, 30), rows: [deviceRow("210100", 20), deviceRow("210200", 10)] },
      ),
    "GET /api/v1/figures/units": (call) =>
      json(
        call.url.searchParams.get("group_by") === "sector"
          ? { total: unitRow(null, 4, 1, 1, 0), rows: [unitRow("postal", 4, 1, 1, 0)] }
          : { total: unitRow(null, 8, 6, 2, 3), rows: [unitRow("210100", 6, 5, 2, 1), unitRow("210200", 2, 1, 0, 2)] },
      ),
    "GET /api/v1/jurisdictions": json({
      items: [{ code: "210000", name: "辽宁省", children: [{ code: "210100", name: "沈阳市" }, { code: "210200", name: "大连市" }] }],
    }),
    "GET /api/v1/figures/alarms": json({
      days: [
        { day: "2026-11-24", raised: 0, by_priority: [], real: 0, false_alarms: 0, deadlines_missed: 0,
          median_acknowledge_seconds: 0, p90_acknowledge_seconds: 0 },
        { day: "2026-11-25", raised: 3, by_priority: [{ priority: 1, count: 1 }, { priority: 3, count: 2 }], real: 1,
          false_alarms: 1, deadlines_missed: 1, median_acknowledge_seconds: 42.4, p90_acknowledge_seconds: 80 },
      ],
      open_by_priority: [{ priority: 1, count: 2 }, { priority: 4, count: 1 }],
    }),
  });
}

describe("the dashboard", () => {
  it("shows the key-unit figures of the caller's scope and colours the map by the chosen one", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["police"]}>
        <DashboardPage />
      </Harness>,
    );
    expect(await screen.findByText("75.0%")).toBeInTheDocument(); // 6 of 8 key units filed
    const card = (title: string) => screen.getByText(title, { selector: ".ant-statistic-title" }).closest(".ant-statistic")!;
    await waitFor(() => expect(within(card("重点单位") as HTMLElement).getByText("8")).toBeInTheDocument());
    expect(within(card("演练逾期单位") as HTMLElement).getByText("2")).toBeInTheDocument();
    expect(within(card("逾期未整改隐患") as HTMLElement).getByText("3")).toBeInTheDocument();

    const map = () => JSON.parse(screen.getByRole("img", { name: /^辽宁省各市/ }).dataset.option!);
    expect(screen.getByRole("img", { name: "辽宁省各市: 重点单位" })).toBeInTheDocument();
    expect(map().series[0].data).toContainEqual({ name: "沈阳市", value: 6 });

    await userEvent.click(screen.getByLabelText("指标"));
    await userEvent.click(await screen.findByTitle("逾期未整改隐患"));
    await waitFor(() => expect(screen.getByRole("img", { name: "辽宁省各市: 逾期未整改隐患" })).toBeInTheDocument());
    expect(map().series[0].data).toContainEqual({ name: "大连市", value: 2 });
    expect(map().visualMap.inRange.color).toEqual(["#fff7e6", "#cf1322"]);

    // The table beside the chart: one row per city, every figure.
    const table = screen.getByRole("table");
    expect(within(table).getByText("沈阳市")).toBeInTheDocument();
    expect(within(table).getByText("83.3%")).toBeInTheDocument(); // Shenyang: 5 of 6 filed
  });

  it("shows the alarm trend per day by priority and the open alarms counted by the gateway", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["police"]}>
        <DashboardPage />
      </Harness>,
    );
    const trend = await screen.findByRole("img", { name: "近30天报警趋势" });
    await waitFor(() => expect(JSON.parse(trend.dataset.option!).xAxis.data).toEqual(["11-24", "11-25"]));
    const option = JSON.parse(screen.getByRole("img", { name: "近30天报警趋势" }).dataset.option!);
    expect(option.series[0].data).toEqual([0, 1]); // priority 1 per day
    expect(option.series[2].data).toEqual([0, 2]); // priority 3
    expect(option.series[4].data).toEqual([null, 42]); // median seconds to police acknowledgement
    const open = JSON.parse(screen.getByRole("img", { name: "未结束报警（按级别）" }).dataset.option!);
    expect(open.series[0].data.map((d: { value: number }) => d.value)).toEqual([2, 0, 0, 1]);
    expect(fake.calls.find((call) => call.url.pathname === "/api/v1/figures/alarms")!.url.searchParams.get("days")).toBe("30");
  });

  it("groups by sector when asked", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["regulator"]}>
        <DashboardPage />
      </Harness>,
    );
    await userEvent.click(await screen.findByText("按行业"));
    const table = screen.getByRole("table");
    await waitFor(() => expect(within(table).getByText("寄递")).toBeInTheDocument());
    const asked = fake.calls.filter((call) => call.url.searchParams.get("group_by") === "sector").map((c) => c.url.pathname);
    expect(asked.sort()).toEqual(["/api/v1/figures/devices", "/api/v1/figures/units"]);
    expect(within(table).getByText("25.0%")).toBeInTheDocument(); // 1 of 4 postal key units filed
  });

  it("does not ask unit security staff for figures they may not read", async () => {
    const fake = gateway();
    render(
      <Harness fetch={fake.fetch} roles={["unit-security"]}>
        <DashboardPage />
      </Harness>,
    );
    expect(await screen.findByRole("img", { name: "辽宁省各市: 设备在线率" })).toBeInTheDocument();
    await waitFor(() => expect(fake.calls.some((call) => call.url.pathname === "/api/v1/figures/devices")).toBe(true));
    expect(fake.calls.some((call) => call.url.pathname === "/api/v1/figures/units")).toBe(false);
    expect(screen.queryByText("保卫机构备案率")).toBeNull();
  });
});

import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeGateway, Harness, json } from "../test/harness";
import { UnitDossierPage } from "./UnitDossierPage";
import { UnitsPage } from "./UnitsPage";

const UNIT = {
  uscc: "91210102MA0LN001X3",
  name: "沈阳太原街商贸中心有限公司",
  former_names: [],
  unit_type: "reserve_or_trade_centre",
  sector: "commerce",
  sectors: ["commerce"],
  jurisdiction: "210102",
  jurisdiction_name: "和平区",
  police_station: "210102001",
  address: "辽宁省沈阳市和平区太原北街86号",
  location: null,
  legal_representative: "赵建国",
  status: "active",
  key_unit: true,
  key_unit_category: "reserve_or_trade_centre",
  version: 2,
  etag: '"2"',
  created_at: "2024-01-02T09:00:00Z",
  updated_at: "2024-01-02T09:00:00Z",
  closed_at: null,
  filing_overdue: false,
  drills_overdue: false,
  hazards_overdue: true,
};

describe("the units page", () => {
  it("lists the units with their flags and looks a credit code up by code", async () => {
    const gateway = fakeGateway({ "GET /api/v1/units": json({ items: [UNIT], next_cursor: null }) });
    render(
      <Harness fetch={gateway.fetch} path="/units">
        <UnitsPage />
      </Harness>,
    );
    expect(await screen.findByRole("link", { name: UNIT.name })).toHaveAttribute("href", `/units/${UNIT.uscc}`);
    expect(screen.getByText("隐患逾期")).toBeInTheDocument();
    expect(screen.getByText("已显示 1 家单位")).toBeInTheDocument();
    const units = () => gateway.calls.filter((call) => call.url.pathname === "/api/v1/units");
    expect(units()[0]?.headers.get("authorization")).toBe("Bearer token-1");

    fireEvent.change(screen.getByLabelText("单位名称或信用代码"), { target: { value: UNIT.uscc.toLowerCase() } });
    await userEvent.click(screen.getByRole("button", { name: "查询" }));
    await waitFor(() => expect(units()).toHaveLength(2));
    const query = units()[1]!.url.searchParams;
    expect(query.get("uscc")).toBe(UNIT.uscc);
    expect(query.get("q")).toBeNull();
  });

  it("searches names with q", async () => {
    const gateway = fakeGateway({ "GET /api/v1/units": json({ items: [], next_cursor: null }) });
    render(
      <Harness fetch={gateway.fetch} path="/units?q=太原街&key_unit=true">
        <UnitsPage />
      </Harness>,
    );
    const units = () => gateway.calls.filter((call) => call.url.pathname === "/api/v1/units");
    await waitFor(() => expect(units()).toHaveLength(1));
    expect(units()[0]!.url.searchParams.get("q")).toBe("太原街");
    expect(units()[0]!.url.searchParams.get("key_unit")).toBe("true");
    expect(await screen.findByText("已显示 0 家单位")).toBeInTheDocument();
  });
});

describe("the dossier", () => {
  it("says 'not found' for a unit outside the caller's scope (the gateway answers 404)", async () => {
    const gateway = fakeGateway({});
    render(
      <Harness fetch={gateway.fetch} path={`/units/${UNIT.uscc}`} route="/units/:uscc">
        <UnitDossierPage />
      </Harness>,
    );
    expect(await screen.findByText("未找到或无权查看")).toBeInTheDocument();
  });

  it("shows staff resident IDs masked", async () => {
    const gateway = fakeGateway({
      "GET /api/v1/units/91210102MA0LN001X3": json(UNIT),
      "GET /api/v1/units/91210102MA0LN001X3/dossier": json({ uscc: UNIT.uscc, key_unit: true, responsible_persons: 2 }),
      "GET /api/v1/units/91210102MA0LN001X3/staff": json({
        items: [
          {
            id: "s1", uscc: UNIT.uscc, name: "吴萍", resident_id: "210102198307154455", phone: "13568777112",
            employment: "full_time", position: "保卫部部长", certificate_expired: false, certificate_expiring: false,
            trainings: [], assessments: [], certificates: [],
          },
        ],
        next_cursor: null,
        disclosure: { level: "clear", kinds: ["resident_id"], subject_ids: ["s1"] },
      }),
    });
    render(
      <Harness fetch={gateway.fetch} path={`/units/${UNIT.uscc}`} route="/units/:uscc">
        <UnitDossierPage />
      </Harness>,
    );
    expect(await screen.findByText("辽宁省沈阳市和平区太原北街86号")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("tab", { name: "保卫人员" }));
    expect(await screen.findByText("2101**********4455")).toBeInTheDocument();
    expect(screen.queryByText("210102198307154455")).not.toBeInTheDocument();
    expect(screen.getByText("135****7112")).toBeInTheDocument();
  });

  it("lets police accept a submitted filing, sending its version as If-Match", async () => {
    const filing = {
      id: "f1", uscc: UNIT.uscc, state: "submitted", organisation_name: "保卫部", head_name: "钱明", full_time_staff: 5,
      part_time_staff: 1, established_on: "2023-10-25", duties: null, version: 3, submitted_by: null, submitted_at: null,
      decided_by: null, decided_at: null, decision_note: null, return_reasons: [], history: [], created_at: null,
      updated_at: null, in_force: false,
    };
    const gateway = fakeGateway({
      "GET /api/v1/units/91210102MA0LN001X3": json(UNIT),
      "GET /api/v1/units/91210102MA0LN001X3/dossier": json({ uscc: UNIT.uscc, key_unit: true }),
      "GET /api/v1/units/91210102MA0LN001X3/filings": json({ items: [filing] }),
      "POST /api/v1/units/91210102MA0LN001X3/filings/f1/accept": json({ ...filing, state: "accepted", version: 4 }),
    });
    render(
      <Harness fetch={gateway.fetch} path={`/units/${UNIT.uscc}`} route="/units/:uscc">
        <UnitDossierPage />
      </Harness>,
    );
    await userEvent.click(await screen.findByRole("tab", { name: "保卫机构备案" }));
    await userEvent.click(await screen.findByRole("button", { name: "受理备案" }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText("审核意见"), "材料齐全");
    await userEvent.click(within(dialog).getByRole("button", { name: "受理备案" }));
    await waitFor(() => expect(gateway.calls.some((call) => call.method === "POST")).toBe(true));
    const call = gateway.calls.find((made) => made.method === "POST")!;
    expect(call.url.pathname).toBe("/api/v1/units/91210102MA0LN001X3/filings/f1/accept");
    expect(JSON.parse(call.body)).toEqual({ note: "材料齐全" });
    expect(call.headers.get("if-match")).toBe('"3"');
  });
});

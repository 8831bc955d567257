import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeGateway, Harness, json, type Call } from "../test/harness";
import { FilingTab } from "./FilingTab";
import { InspectionsTab } from "./InspectionsTab";
import { PersonsTab } from "./PersonsTab";

const USCC = "91210102MA0LN001X3";
const BASE = `/api/v1/units/${USCC}`;

const filing = (state: string, version = 2) => ({
  id: "f1", uscc: USCC, state, organisation_name: "保卫部", head_name: "钱明", full_time_staff: 0, part_time_staff: 0,
  established_on: null, duties: "", version, submitted_by: null, submitted_at: null, decided_by: null, decided_at: null,
  decision_note: "", return_reasons: [], history: [], created_at: null, updated_at: null, in_force: false,
});

const person = {
  id: "p1", uscc: USCC, role: "first_responsible", name: "赵建国", position: "董事长", phone: "139****1111",
  responsibilities: "", appointed_on: "2024-01-01", version: 4, created_at: null, updated_at: null,
};

const hazard = (state: string) => ({
  id: "h1", uscc: USCC, inspection_id: "i1", party: "police", party_sector: null, severity: "high",
  description: "消防通道被杂物堵塞", deadline: "2026-12-01", state, overdue: false, opened_by: null, opened_at: null,
  rectification_note: "", evidence: [], rectified_by: null, rectified_at: null, verification_note: "", verified_by: null,
  verified_at: null, version: 5,
});

const writes = (calls: Call[]) => calls.filter((call) => call.method !== "GET");

describe("the filing workflow", () => {
  it("saves a draft, and a submission refused for its content reopens it with the errors on its fields", async () => {
    let draft: ReturnType<typeof filing> | null = null;
    const gateway = fakeGateway({
      [`GET ${BASE}/filings`]: () => json({ items: draft ? [draft] : [] }),
      [`PUT ${BASE}/filings/draft`]: (call) => {
        draft = { ...filing("draft", draft ? draft.version + 1 : 1), ...JSON.parse(call.body) };
        return json(draft);
      },
      [`POST ${BASE}/filings/f1/submit`]: () =>
        draft?.established_on
          ? json(filing("submitted", 3))
          : json(
              {
                status: 400, title: "The request has invalid fields.",
                errors: [
                  { pointer: "/established_on", detail: "established_on is required (YYYY-MM-DD)" },
                  { pointer: "/full_time_staff", detail: "a filing declares at least one staff member" },
                ],
              },
              400,
            ),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["unit-security"]}>
        <FilingTab uscc={USCC} />
      </Harness>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "填写备案" }));
    let dialog = await screen.findByRole("dialog");
    // Checked here first: the names are required.
    await userEvent.click(within(dialog).getByRole("button", { name: "保存草稿" }));
    // Both fields' messages: antd validates the fields one after the other.
    await waitFor(() => expect(within(dialog).getAllByText("必填")).toHaveLength(2));
    expect(writes(gateway.calls)).toHaveLength(0);
    await userEvent.type(within(dialog).getByLabelText("保卫机构"), "保卫部");
    await userEvent.type(within(dialog).getByLabelText("负责人"), "钱明");
    await userEvent.click(within(dialog).getByRole("button", { name: "保存草稿" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(writes(gateway.calls)[0]!.headers.get("if-match")).toBeNull(); // a new draft

    // Submitted incomplete: the registry's errors land on the fields their pointers name.
    await userEvent.click(await screen.findByRole("button", { name: "提交备案" }));
    await userEvent.click(await screen.findByRole("button", { name: "确定" }));
    dialog = await screen.findByRole("dialog");
    expect(await within(dialog).findByText("established_on is required (YYYY-MM-DD)")).toBeInTheDocument();
    expect(within(dialog).getByText("a filing declares at least one staff member")).toBeInTheDocument();
    expect(within(dialog).getByLabelText("保卫机构")).toHaveValue("保卫部");

    await userEvent.type(within(dialog).getByLabelText("成立日期"), "2024-03-01{Enter}");
    await userEvent.click(within(dialog).getByRole("button", { name: "保存草稿" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    const put = writes(gateway.calls).at(-1)!;
    expect(put.headers.get("if-match")).toBe('"1"');
    expect(JSON.parse(put.body)).toMatchObject({ organisation_name: "保卫部", head_name: "钱明", established_on: "2024-03-01" });

    await userEvent.click(await screen.findByRole("button", { name: "提交备案" }));
    await userEvent.click(await screen.findByRole("button", { name: "确定" }));
    await waitFor(() => expect(writes(gateway.calls).at(-1)?.url.pathname).toBe(`${BASE}/filings/f1/submit`));
    expect(writes(gateway.calls).filter((call) => call.url.pathname.endsWith("/submit"))).toHaveLength(2);
    expect(writes(gateway.calls).at(-1)!.headers.get("if-match")).toBe('"2"');
  });

  it("lets police return a submitted filing only with a reason, one per line", async () => {
    const gateway = fakeGateway({
      [`GET ${BASE}/filings`]: json({ items: [filing("submitted", 3)] }),
      [`POST ${BASE}/filings/f1/return`]: json(filing("returned", 4)),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["police"]}>
        <FilingTab uscc={USCC} />
      </Harness>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "退回" }));
    // Under review: nothing to write or submit meanwhile.
    expect(screen.queryByRole("button", { name: "填写备案" })).toBeNull();
    expect(screen.queryByRole("button", { name: "提交备案" })).toBeNull();
    const dialog = await screen.findByRole("dialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "退回" }));
    expect(await within(dialog).findByText("必填")).toBeInTheDocument();
    expect(writes(gateway.calls)).toHaveLength(0);
    await userEvent.type(within(dialog).getByLabelText("退回理由（每行一条）"), "缺少人员名单{Enter}成立日期有误");
    await userEvent.click(within(dialog).getByRole("button", { name: "退回" }));
    await waitFor(() => expect(writes(gateway.calls)).toHaveLength(1));
    expect(JSON.parse(writes(gateway.calls)[0]!.body)).toEqual({ reasons: ["缺少人员名单", "成立日期有误"] });
    expect(writes(gateway.calls)[0]!.headers.get("if-match")).toBe('"3"');
  });
});

describe("responsible persons", () => {
  it("are added and edited by the unit's security staff, a change sending only what changed", async () => {
    const gateway = fakeGateway({
      [`GET ${BASE}/responsible-persons`]: json({ items: [person] }),
      [`POST ${BASE}/responsible-persons`]: json({ ...person, id: "p2" }, 201),
      [`PATCH ${BASE}/responsible-persons/p1`]: json({ ...person, version: 5 }),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["unit-security"]}>
        <PersonsTab uscc={USCC} />
      </Harness>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "编辑 赵建国" }));
    let dialog = await screen.findByRole("dialog");
    const position = within(dialog).getByLabelText("职务");
    await userEvent.clear(position);
    await userEvent.type(position, "总经理");
    await userEvent.click(within(dialog).getByRole("button", { name: "保存" }));
    await waitFor(() => expect(writes(gateway.calls)).toHaveLength(1));
    const patch = writes(gateway.calls)[0]!;
    expect(patch.method).toBe("PATCH");
    expect(patch.headers.get("if-match")).toBe('"4"');
    // The masked phone shown is not sent back as if it were a new number.
    expect(JSON.parse(patch.body)).toEqual({ position: "总经理" });

    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    await userEvent.click(screen.getByRole("button", { name: "新增责任人" }));
    dialog = await screen.findByRole("dialog");
    await userEvent.click(within(dialog).getByLabelText("责任类型"));
    await userEvent.click(await screen.findByTitle("共同责任人"));
    await userEvent.type(within(dialog).getByLabelText("姓名"), "孙海涛");
    await userEvent.click(within(dialog).getByRole("button", { name: "保存" }));
    await waitFor(() => expect(writes(gateway.calls)).toHaveLength(2));
    expect(JSON.parse(writes(gateway.calls)[1]!.body)).toMatchObject({ role: "co_responsible", name: "孙海涛", phone: "" });
  });

  it("are read-only for a regulator", async () => {
    const gateway = fakeGateway({ [`GET ${BASE}/responsible-persons`]: json({ items: [person] }) });
    render(
      <Harness fetch={gateway.fetch} roles={["regulator"]}>
        <PersonsTab uscc={USCC} />
      </Harness>,
    );
    expect(await screen.findByText("赵建国")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "新增责任人" })).toBeNull();
    expect(screen.queryByRole("button", { name: /编辑/ })).toBeNull();
  });
});

describe("hazards", () => {
  it("are rectified by the unit with evidence", async () => {
    const gateway = fakeGateway({
      [`GET ${BASE}/hazards`]: json({ items: [hazard("open")], next_cursor: null }),
      [`GET ${BASE}/inspections`]: json({ items: [], next_cursor: null }),
      [`POST ${BASE}/hazards/h1/rectify`]: json(hazard("rectified")),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["unit-security"]}>
        <InspectionsTab uscc={USCC} />
      </Harness>,
    );
    expect(screen.queryByRole("button", { name: "登记检查" })).toBeNull();
    await userEvent.click(await screen.findByRole("button", { name: "整改" }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText("整改情况"), "已清理通道");
    await userEvent.type(within(dialog).getByLabelText("整改佐证材料"), "整改后照片");
    await userEvent.click(within(dialog).getByRole("button", { name: "保存" }));
    await waitFor(() => expect(writes(gateway.calls)).toHaveLength(1));
    expect(JSON.parse(writes(gateway.calls)[0]!.body)).toEqual({
      rectification_note: "已清理通道",
      evidence: [{ description: "整改后照片", uri: "" }],
    });
    expect(writes(gateway.calls)[0]!.headers.get("if-match")).toBe('"5"');
  });

  it("are verified or reopened with a new deadline by the inspecting party", async () => {
    const gateway = fakeGateway({
      [`GET ${BASE}/hazards`]: json({ items: [hazard("rectified")], next_cursor: null }),
      [`GET ${BASE}/inspections`]: json({ items: [], next_cursor: null }),
      [`POST ${BASE}/hazards/h1/verify`]: json(hazard("open")),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["police"]}>
        <InspectionsTab uscc={USCC} />
      </Harness>,
    );
    expect(await screen.findByRole("button", { name: "登记检查" })).toBeInTheDocument();
    await userEvent.click(await screen.findByRole("button", { name: "复查不通过" }));
    const dialog = await screen.findByRole("dialog");
    await userEvent.type(within(dialog).getByLabelText("复查意见"), "通道仍有杂物");
    await userEvent.type(within(dialog).getByLabelText("新的整改期限"), "2026-12-20{Enter}");
    await userEvent.click(within(dialog).getByRole("button", { name: "复查不通过" }));
    await waitFor(() => expect(writes(gateway.calls)).toHaveLength(1));
    expect(JSON.parse(writes(gateway.calls)[0]!.body)).toEqual({
      accepted: false,
      verification_note: "通道仍有杂物",
      new_deadline: "2026-12-20",
    });
  });
});

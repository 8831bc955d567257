import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import dayjs from "dayjs";
import { describe, expect, it } from "vitest";
import { fakeGateway, Harness, json } from "../test/harness";
import { SilencesPanel, silenceOver } from "./SilencesPanel";

const USCC = "91210102MA0LN001X3";
const actor = (name: string) => ({ subject: name, name, kind: "user", roles: [], jurisdiction: null, sector: null, unit: null, client_id: null });
const silence = (id: string, more: Record<string, unknown>) => ({
  id, uscc: USCC, device_id: null, starts_at: "2026-11-25T08:00:00+08:00", ends_at: "2099-01-01T00:00:00+08:00",
  reason: "设备检修", includes_life_safety: false, state: "active", created_by: actor("security-chief-demo"),
  created_at: "2026-11-25T08:00:00+08:00", approved_by: null, approved_at: null, cancelled_by: null, cancelled_at: null,
  ...more,
});

describe("alarm silences", () => {
  it("are listed, and a panic silence set by someone else is approved by a second person", async () => {
    const pending = silence("s1", { state: "pending_approval", includes_life_safety: true, reason: "一键报警主机更换" });
    const mine = silence("s2", { state: "pending_approval", includes_life_safety: true, created_by: actor("police-heping") });
    const gateway = fakeGateway({
      "GET /api/v1/alarm-silences": json({ items: [pending, mine, silence("s3", { ends_at: "2020-01-01T00:00:00+08:00" })] }),
      "POST /api/v1/alarm-silences/s1/approve": json({ ...pending, state: "active", approved_by: actor("police-heping") }),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["police"]}>
        <SilencesPanel />
      </Harness>,
    );
    const row = (await screen.findByText("一键报警主机更换")).closest("tr")!;
    expect(within(row).getByText("待批准")).toBeInTheDocument();
    expect(screen.getAllByText("已结束")).toHaveLength(1); // s3's window has passed
    // The harness signs in as police-heping, the author of s2: no approving one's own silence.
    expect(screen.getAllByRole("button", { name: "批准" })).toHaveLength(1);
    await userEvent.click(within(row).getByRole("button", { name: "批准" }));
    await userEvent.click(await screen.findByRole("button", { name: "确定" }));
    await waitFor(() => expect(gateway.calls.some((call) => call.url.pathname.endsWith("/s1/approve"))).toBe(true));
  });

  it("are created with a window in Liaoning's time and a reason, the form saying what is missing", async () => {
    const gateway = fakeGateway({
      "GET /api/v1/alarm-silences": json({ items: [] }),
      "POST /api/v1/alarm-silences": (call) => json(silence("s9", JSON.parse(call.body)), 201),
    });
    render(
      <Harness fetch={gateway.fetch} roles={["unit-security"]}>
        <SilencesPanel uscc={USCC} />
      </Harness>,
    );
    expect(screen.queryByRole("button", { name: "批准" })).toBeNull();
    await userEvent.click(await screen.findByRole("button", { name: "新建静默" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("统一社会信用代码")).toHaveValue(USCC);
    await userEvent.click(within(dialog).getByRole("button", { name: "保存" }));
    await waitFor(() => expect(within(dialog).getAllByText("必填")).toHaveLength(2)); // ends_at, reason
    await userEvent.type(within(dialog).getByLabelText("结束时间"), "2026-11-26 18:30{Enter}");
    await userEvent.type(within(dialog).getByLabelText("事由"), "监控中心设备检修");
    await userEvent.click(within(dialog).getByRole("switch"));
    await userEvent.click(within(dialog).getByRole("button", { name: "保存" }));
    await waitFor(() => expect(gateway.calls.some((call) => call.method === "POST")).toBe(true));
    const body = JSON.parse(gateway.calls.find((call) => call.method === "POST")!.body);
    expect(body).toMatchObject({
      uscc: USCC,
      device_id: null,
      starts_at: null,
      ends_at: "2026-11-26T18:30:00+08:00",
      reason: "监控中心设备检修",
      includes_life_safety: true,
    });
  });

  it("end when cancelled or when their window has passed", () => {
    const now = new Date("2026-11-25T12:00:00+08:00");
    expect(silenceOver(silence("a", {}) as never)).toBe(false);
    expect(silenceOver(silence("b", { state: "cancelled" }) as never)).toBe(true);
    expect(silenceOver(silence("c", { ends_at: "2026-11-25T11:00:00+08:00" }) as never, dayjs(now))).toBe(true);
  });
});

import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeGateway, Harness, json } from "../test/harness";
import { AlarmDeskPage } from "./AlarmDeskPage";

const UNIT = { uscc: "91210102MA0LN001X3", name: "沈阳太原街商贸中心有限公司", jurisdiction: "210102", police_station: "210102001", sector: "commerce", key_unit: true };

const alarm = (id: string, overrides: Record<string, unknown> = {}) => ({
  id, uscc: UNIT.uscc, kind: "intrusion", priority: 3, status: "routed", occurred_at: "2026-11-25T01:00:00Z",
  received_at: "2026-11-25T01:00:01Z", description: "周界报警", source: null, source_id: null, zone: null, device_id: null,
  jurisdiction: "210102", sector: "commerce", unit: UNIT, rules_version: "1", routes: [], timeline: [], outcome: null,
  raised_by: null, updated_at: null, repeat_count: 0, last_reported_at: null, silence_id: null, context: null,
  ...overrides,
});

function liveStream(frames: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

const RAISED = {
  id: "event-1",
  type: "neibao.alarm-routing.alarm.raised.v1",
  subject: "p1",
  data: { id: "p1", uscc: UNIT.uscc, unit_name: UNIT.name, kind: "panic", priority: 1, status: "received", occurred_at: "2026-11-25T02:00:00Z", received_at: "2026-11-25T02:00:00Z", change: { description: "一键报警" } },
};

// The unit's security office let its deadline pass: the same alarm, one route changed.
const DEADLINE_MISSED = {
  id: "event-2",
  type: "neibao.alarm-routing.alarm.deadline-missed.v1",
  subject: "p1",
  data: { ...RAISED.data, status: "routed", change: { route: { id: "r2", party: "unit_security", acknowledgement_outcome: null, deadline_missed_at: "2026-11-25T02:03:00Z" } } },
};

const frame = (id: string, event: { type: string }) => `id: ${id}\r\nevent: ${event.type}\r\ndata: ${JSON.stringify(event)}\r\n\r\n`;

afterEach(() => vi.unstubAllGlobals());

describe("the alarm desk", () => {
  it("shows a priority-1 alarm from the stream with a cue, its timeline, and acknowledges it", async () => {
    const gateway = fakeGateway({
      "GET /api/v1/alarms": json({ items: [alarm("old")], next_cursor: null }),
      "GET /api/v1/alarms/stream": () => liveStream([frame("0-7", RAISED), frame("0-8", DEADLINE_MISSED)]),
      "GET /api/v1/alarms/p1": json(
        alarm("p1", {
          kind: "panic", priority: 1, status: "routed",
          timeline: [{ sequence: 1, type: "received", at: "2026-11-25T02:00:00Z", actor: null, party: null, target: null, detail: null }],
          context: { emergency_plans: [], key_parts: [], alarm_key_part: null, disclosure: null,
            responsible_persons: [{ id: "r1", role: "first_responsible", name: "赵建国", position: "总经理", phone: "13800001234" }] },
        }),
      ),
      "POST /api/v1/alarms/p1/acknowledge": json(alarm("p1", { kind: "panic", priority: 1, status: "acknowledged" })),
    });
    vi.stubGlobal("fetch", gateway.fetch);
    render(
      <Harness fetch={gateway.fetch} path="/alarms">
        <AlarmDeskPage />
      </Harness>,
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("新的一级报警！ 沈阳太原街商贸中心有限公司 · 一键报警");
    expect(screen.getByTestId("stream-state")).toHaveTextContent("已连接");
    const row = document.querySelector("[data-alarm-id='p1']") as HTMLElement;
    expect(row).toHaveClass("alarm-p1-flash");
    expect(within(row).getByText("一级")).toBeInTheDocument();
    expect(within(row).getByText("超时未确认")).toBeInTheDocument();
    const stream = gateway.calls.find((call) => call.url.pathname === "/api/v1/alarms/stream");
    expect(stream?.headers.get("authorization")).toBe("Bearer token-1");

    await userEvent.click(within(row).getByText("一键报警"));
    expect(await screen.findByText("处置时间线")).toBeInTheDocument();
    expect(screen.getByText(/赵建国/)).toHaveTextContent("138****1234");
    await userEvent.click(screen.getByRole("button", { name: "确认接警" }));
    await waitFor(() =>
      expect(gateway.calls.some((call) => call.method === "POST" && call.url.pathname === "/api/v1/alarms/p1/acknowledge")).toBe(true),
    );
    await waitFor(() => expect(document.querySelector("[data-alarm-id='p1']")).not.toHaveClass("alarm-p1-flash"));
    await waitFor(() => expect(screen.queryByText(/新的一级报警/)).not.toBeInTheDocument());
    expect(await screen.findByText("操作成功")).toBeInTheDocument();
  });

  it("lists a suppressed priority-1 alarm as suppressed, without the cue", async () => {
    const silenced = { ...RAISED, data: { ...RAISED.data, id: "quiet", silence_id: "s-1", change: { description: "检修中一键报警" } } };
    const gateway = fakeGateway({
      "GET /api/v1/alarms": json({ items: [], next_cursor: null }),
      "GET /api/v1/alarms/stream": () => liveStream([frame("0-9", silenced)]),
    });
    vi.stubGlobal("fetch", gateway.fetch);
    render(
      <Harness fetch={gateway.fetch} path="/alarms">
        <AlarmDeskPage />
      </Harness>,
    );
    const row = await waitFor(() => {
      const found = document.querySelector("[data-alarm-id='quiet']") as HTMLElement | null;
      expect(found).not.toBeNull();
      return found!;
    });
    expect(within(row).getByText("静默")).toBeInTheDocument();
    expect(row).not.toHaveClass("alarm-p1-flash");
    expect(screen.queryByText(/新的一级报警/)).not.toBeInTheDocument();
  });

  it("lets the security office acknowledge with what it found on site, and shows each party's finding and missed deadline", async () => {
    const routes = [
      { id: "r1", party: "police_station", target: "210102001", role: "respond", reason: "辖区派出所", rule_id: null, rules_version: "1",
        routed_at: "2026-11-25T01:00:01Z", acknowledge_by: "2026-11-25T01:05:01Z", acknowledged_at: "2026-11-25T01:02:00Z",
        acknowledged_by: { kind: "user", id: "u1", name: "和平派出所民警" }, acknowledgement_note: null, escalation_level: 0,
        acknowledgement_outcome: "accepted", deadline_missed_at: null },
      { id: "r2", party: "unit_security", target: UNIT.uscc, role: "respond", reason: "单位保卫部门现场核实", rule_id: null, rules_version: "1",
        routed_at: "2026-11-25T01:00:01Z", acknowledge_by: "2026-11-25T01:03:01Z", acknowledged_at: null, acknowledged_by: null,
        acknowledgement_note: null, escalation_level: 0, acknowledgement_outcome: null, deadline_missed_at: "2026-11-25T01:03:01Z" },
    ];
    const timeline = [
      { sequence: 1, type: "received", at: "2026-11-25T01:00:01Z", actor: null, party: null, target: null, detail: null },
      { sequence: 2, type: "deadline_missed", at: "2026-11-25T01:03:01Z", actor: null, party: "unit_security", target: UNIT.uscc, detail: null },
    ];
    const acknowledged = {
      ...routes[1],
      acknowledged_at: "2026-11-25T01:04:00Z", acknowledged_by: { kind: "user", id: "u2", name: "保卫科长" },
      acknowledgement_note: "值班员误触", acknowledgement_outcome: "confirmed",
    };
    const gateway = fakeGateway({
      "GET /api/v1/alarms": json({ items: [alarm("a", { routes, timeline })], next_cursor: null }),
      "GET /api/v1/alarms/stream": () => liveStream([]),
      "GET /api/v1/alarms/a": json(alarm("a", { routes, timeline })),
      "POST /api/v1/alarms/a/acknowledge": json(alarm("a", { status: "acknowledged", routes: [routes[0], acknowledged], timeline })),
    });
    vi.stubGlobal("fetch", gateway.fetch);
    render(
      <Harness fetch={gateway.fetch} path="/alarms" roles={["unit-security"]}>
        <AlarmDeskPage />
      </Harness>,
    );
    const row = (await screen.findByText("沈阳太原街商贸中心有限公司")).closest("[data-alarm-id='a']") as HTMLElement;
    expect(within(row).getByText("超时未确认")).toBeInTheDocument();
    await userEvent.click(within(row).getByText("沈阳太原街商贸中心有限公司"));

    const routesCard = (await screen.findByText("推送对象")).closest(".ant-card") as HTMLElement;
    expect(within(routesCard).getByText("已接警")).toBeInTheDocument();
    expect(within(routesCard).getByText(/超时未确认/)).toBeInTheDocument();
    const timelineCard = screen.getByText("处置时间线").closest(".ant-card") as HTMLElement;
    expect(within(timelineCard).getByText("超时未确认")).toBeInTheDocument();

    const acknowledge = screen.getByRole("button", { name: "确认接警" });
    expect(acknowledge).toBeDisabled();
    const finding = screen.getByRole("combobox", { name: "现场核实结果" });
    // By keyboard: Enter opens the list, Enter takes the active (first) finding. The option list reads the
    // legacy `which`, which user-event leaves unset: the second key goes through fireEvent.
    finding.focus();
    await userEvent.keyboard("{Enter}");
    await screen.findByTitle("现场确认属实");
    fireEvent.keyDown(finding, { key: "Enter", keyCode: 13, which: 13 });
    await waitFor(() => expect(acknowledge).toBeEnabled());
    await userEvent.type(screen.getByLabelText("备注"), "值班员误触");
    await userEvent.click(acknowledge);
    await waitFor(() => {
      const post = gateway.calls.find((call) => call.method === "POST" && call.url.pathname === "/api/v1/alarms/a/acknowledge");
      expect(post && JSON.parse(post.body)).toEqual({ note: "值班员误触", outcome: "confirmed" });
    });
    expect(await within(row).findByText("现场确认属实")).toBeInTheDocument();
    expect(within(routesCard).getByText("现场确认属实")).toBeInTheDocument();
  });

  it("acknowledges for the police without asking what was found", async () => {
    const gateway = fakeGateway({
      "GET /api/v1/alarms": json({ items: [alarm("a")], next_cursor: null }),
      "GET /api/v1/alarms/stream": () => liveStream([]),
      "GET /api/v1/alarms/a": json(alarm("a")),
      "POST /api/v1/alarms/a/acknowledge": json(alarm("a", { status: "acknowledged" })),
    });
    vi.stubGlobal("fetch", gateway.fetch);
    render(
      <Harness fetch={gateway.fetch} path="/alarms">
        <AlarmDeskPage />
      </Harness>,
    );
    await userEvent.click(await screen.findByText("沈阳太原街商贸中心有限公司"));
    await userEvent.click(await screen.findByRole("button", { name: "确认接警" }));
    expect(screen.queryByRole("combobox", { name: "现场核实结果" })).not.toBeInTheDocument();
    await waitFor(() => {
      const post = gateway.calls.find((call) => call.method === "POST" && call.url.pathname === "/api/v1/alarms/a/acknowledge");
      expect(post && JSON.parse(post.body)).toEqual({});
    });
  });

  it("offers only the actions the caller's roles allow", async () => {
    const gateway = fakeGateway({
      "GET /api/v1/alarms": json({ items: [alarm("a")], next_cursor: null }),
      "GET /api/v1/alarms/stream": () => liveStream([]),
      "GET /api/v1/alarms/a": json(alarm("a")),
    });
    vi.stubGlobal("fetch", gateway.fetch);
    render(
      <Harness fetch={gateway.fetch} path="/alarms" roles={["regulator"]}>
        <AlarmDeskPage />
      </Harness>,
    );
    await userEvent.click(await screen.findByText("沈阳太原街商贸中心有限公司"));
    expect(await screen.findByRole("button", { name: "确认接警" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "派警" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "处置完毕" })).not.toBeInTheDocument();
  });
});

import { render, screen, waitFor, within } from "@testing-library/react";
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

afterEach(() => vi.unstubAllGlobals());

describe("the alarm desk", () => {
  it("shows a priority-1 alarm from the stream with a cue, its timeline, and acknowledges it", async () => {
    const gateway = fakeGateway({
      "GET /api/v1/alarms": json({ items: [alarm("old")], next_cursor: null }),
      "GET /api/v1/alarms/stream": () => liveStream([`id: 0-7\r\nevent: ${RAISED.type}\r\ndata: ${JSON.stringify(RAISED)}\r\n\r\n`]),
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

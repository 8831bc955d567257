import { describe, expect, it, vi } from "vitest";
import type { LiveEvent } from "./model";
import { followAlarmStream, type StreamState } from "./stream";

function sse(frames: string[], close: boolean): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      if (close) controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

const frame = (id: string, alarm: string) =>
  `id: ${id}\r\nevent: neibao.alarm-routing.alarm.raised.v1\r\ndata: ${JSON.stringify({ id: `e-${id}`, type: "raised", data: { id: alarm, priority: 1 } })}\r\n\r\n`;

describe("the alarm stream", () => {
  it("reconnects with a fresh token and Last-Event-ID, so no alarm is lost", async () => {
    const seen: { headers: Record<string, string> }[] = [];
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ headers: { ...(init?.headers as Record<string, string>) } });
      // The first connection delivers one event and drops; the second replays from there and stays open.
      return seen.length === 1 ? sse([frame("0-41", "a1")], true) : sse([frame("0-42", "a2")], false);
    });
    const tokens = ["first", "second"];
    const events: LiveEvent[] = [];
    const states: StreamState[] = [];
    const controller = new AbortController();
    const done = followAlarmStream({
      accessToken: async () => tokens.shift() ?? "later",
      onEvent: (event) => {
        events.push(event);
        if (events.length === 2) controller.abort();
      },
      onState: (state) => states.push(state),
      signal: controller.signal,
      backoffMs: () => 0,
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    await vi.waitFor(() => expect(events).toHaveLength(2));
    controller.abort();
    await done;
    expect(events.map((event) => event.data?.id)).toEqual(["a1", "a2"]);
    expect(seen[0]?.headers.Authorization).toBe("Bearer first");
    expect(seen[0]?.headers["Last-Event-ID"]).toBeUndefined();
    expect(seen[1]?.headers.Authorization).toBe("Bearer second");
    expect(seen[1]?.headers["Last-Event-ID"]).toBe("0-41");
    expect(states).toEqual(["connecting", "connected", "reconnecting", "connected"]);
  });

  it("reports a gap (and keeps its Last-Event-ID) so the desk reloads through REST", async () => {
    const seen: { headers: Record<string, string> }[] = [];
    const fetch = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
      seen.push({ headers: { ...(init?.headers as Record<string, string>) } });
      return seen.length === 1
        ? sse([frame("0-7", "a1"), 'event: gap\r\ndata: {"missed":3}\r\n\r\n'], true)
        : sse([frame("0-11", "a2")], false);
    });
    const events: LiveEvent[] = [];
    let gaps = 0;
    const controller = new AbortController();
    const done = followAlarmStream({
      accessToken: async () => "t",
      onEvent: (event) => {
        events.push(event);
        if (events.length === 2) controller.abort();
      },
      onState: () => undefined,
      onGap: () => {
        gaps += 1;
      },
      signal: controller.signal,
      backoffMs: () => 0,
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    await vi.waitFor(() => expect(events).toHaveLength(2));
    controller.abort();
    await done;
    expect(gaps).toBe(1);
    expect(seen[1]?.headers["Last-Event-ID"]).toBe("0-7");
  });

  it("does not treat an error answer as a stream", async () => {
    const controller = new AbortController();
    const states: StreamState[] = [];
    const fetch = vi.fn(async () => {
      controller.abort();
      return new Response(JSON.stringify({ status: 401 }), { status: 401, headers: { "content-type": "application/problem+json" } });
    });
    await followAlarmStream({
      accessToken: async () => "t",
      onEvent: () => undefined,
      onState: (state) => states.push(state),
      signal: controller.signal,
      backoffMs: () => 0,
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    expect(states).not.toContain("connected");
  });
});

import { fetchEventSource } from "@microsoft/fetch-event-source";
import type { LiveEvent } from "./model";

export type StreamState = "connecting" | "connected" | "reconnecting";

export interface AlarmStreamOptions {
  url?: string;
  accessToken: () => Promise<string>;
  onEvent: (event: LiveEvent) => void;
  onState: (state: StreamState) => void;
  /** The gateway no longer held events this desk should have had (`event: gap`): reload through REST. */
  onGap?: () => void;
  signal: AbortSignal;
  /** Delay before reconnecting, by attempt (capped). */
  backoffMs?: (attempt: number) => number;
  fetch?: typeof globalThis.fetch;
}

class StreamClosed extends Error {}

/**
 * Follows the gateway's alarm stream until `signal` aborts. Every (re)connection asks for a fresh token and
 * sends `Last-Event-ID` with the last event received, so the gateway replays what was missed.
 */
export async function followAlarmStream(options: AlarmStreamOptions): Promise<void> {
  const { url = "/api/v1/alarms/stream", signal, onEvent, onState } = options;
  const backoff = options.backoffMs ?? ((attempt: number) => Math.min(1000 * 2 ** attempt, 15000));
  let lastEventId: string | null = null;
  let attempt = 0;
  onState("connecting");
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${await options.accessToken()}`,
        Accept: "text/event-stream",
      };
      if (lastEventId) headers["Last-Event-ID"] = lastEventId;
      await fetchEventSource(url, {
        headers,
        signal,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        // A control room keeps the desk in a background tab: never drop the stream when hidden.
        openWhenHidden: true,
        async onopen(response) {
          const type = response.headers.get("content-type") ?? "";
          if (!response.ok || !type.startsWith("text/event-stream")) {
            throw new StreamClosed(`stream answered ${response.status}`);
          }
          attempt = 0;
          onState("connected");
        },
        onmessage(message) {
          if (message.event === "gap") {
            // No id: Last-Event-ID stays at the last event received.
            options.onGap?.();
            return;
          }
          if (message.id) lastEventId = message.id;
          if (!message.data) return;
          try {
            onEvent(JSON.parse(message.data) as LiveEvent);
          } catch {
            // a malformed line is skipped; the next event still counts
          }
        },
        onclose() {
          throw new StreamClosed("stream closed by the server");
        },
        onerror(error) {
          throw error; // reconnect from our loop (fresh token, Last-Event-ID)
        },
      });
    } catch {
      if (signal.aborted) break;
    }
    if (signal.aborted) break;
    onState("reconnecting");
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, backoff(attempt++));
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

import { describe, expect, it } from "vitest";
import { applyEvent, deadlineMissed, siteFindings, sortRows, type AlarmRow } from "./model";

const row = (id: string, priority: number, status: string, receivedAt: string): AlarmRow => ({
  id, uscc: "91210102MA0LN001X3", unitName: "单位", kind: "panic", priority, status, occurredAt: receivedAt, receivedAt, description: null, silenceId: null, routes: [],
});

describe("live alarm events", () => {
  it("add a new alarm on top and report it as new", () => {
    const { rows, added } = applyEvent([row("a", 3, "routed", "1")], {
      id: "b", uscc: "91210102MA0LN001X3", unit_name: "沈阳太原街商贸中心有限公司", kind: "panic", priority: 1, status: "received",
      change: { description: "一键报警" },
    });
    expect(rows.map((r) => r.id)).toEqual(["b", "a"]);
    expect(added?.description).toBe("一键报警");
  });
  it("add a new alarm from its one raised event, with the routes it went to at intake", () => {
    const { rows, added } = applyEvent([], {
      id: "c", uscc: "91210102MA0LN001X3", unit_name: "单位", kind: "intrusion", priority: 2, status: "routed",
      change: {
        description: "入侵",
        routes: [
          { id: "r1", party: "police_station", acknowledgement_outcome: null, deadline_missed_at: null },
          { id: "r2", party: "unit_security", acknowledgement_outcome: null, deadline_missed_at: null },
        ],
      },
    });
    expect(added?.status).toBe("routed");
    expect(rows[0]?.routes.map((r) => r.id)).toEqual(["r1", "r2"]);
    expect(deadlineMissed(rows[0]!)).toBe(false);
  });
  it("mark a missed deadline and what the security office found, route by route", () => {
    const start = { ...row("c", 2, "routed", "1"), routes: [
      { id: "r1", party: "police_station" as const, acknowledgement_outcome: null, deadline_missed_at: null },
      { id: "r2", party: "unit_security" as const, acknowledgement_outcome: null, deadline_missed_at: null },
    ] };
    const missed = applyEvent([start], {
      id: "c", change: { route: { id: "r2", party: "unit_security", acknowledgement_outcome: null, deadline_missed_at: "2026-11-25T02:05:00Z" } },
    }).rows;
    expect(deadlineMissed(missed[0]!)).toBe(true);
    expect(missed[0]?.routes).toHaveLength(2);
    const acknowledged = applyEvent(missed, {
      id: "c", status: "acknowledged",
      change: { routes: [
        { id: "r1", party: "police_station", acknowledgement_outcome: "accepted", deadline_missed_at: null },
        { id: "r2", party: "unit_security", acknowledgement_outcome: "confirmed", deadline_missed_at: "2026-11-25T02:05:00Z" },
      ] },
    }).rows;
    expect(siteFindings(acknowledged[0]!)).toEqual(["confirmed"]);
    expect(deadlineMissed(acknowledged[0]!)).toBe(true);
  });
  it("update a known alarm in place", () => {
    const { rows, added } = applyEvent([row("a", 3, "routed", "1")], { id: "a", status: "acknowledged" });
    expect(added).toBeNull();
    expect(rows[0]?.status).toBe("acknowledged");
    expect(rows[0]?.priority).toBe(3);
  });
  it("sort open alarms first, then by priority, then newest", () => {
    const sorted = sortRows([
      row("closed-p1", 1, "resolved", "9"),
      row("p3", 3, "routed", "8"),
      row("p1-old", 1, "routed", "1"),
      row("p1-new", 1, "received", "5"),
    ]);
    expect(sorted.map((r) => r.id)).toEqual(["p1-new", "p1-old", "p3", "closed-p1"]);
  });
});

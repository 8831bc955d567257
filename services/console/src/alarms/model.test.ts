import { describe, expect, it } from "vitest";
import { applyEvent, sortRows, type AlarmRow } from "./model";

const row = (id: string, priority: number, status: string, receivedAt: string): AlarmRow => ({
  id, uscc: "91210102MA0LN001X3", unitName: "单位", kind: "panic", priority, status, occurredAt: receivedAt, receivedAt, description: null,
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

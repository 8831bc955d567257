import { describe, expect, it } from "vitest";
import {
  byUrgency, datasetsFor, warningTotal, daysBetween, earlyWarnings, formatRate, isResidentId, maySearchPersons, rateTone,
  summaryFields, volumesByDay,
} from "./model";

describe("the exchange pages' logic", () => {
  it("shows a regulator its own sector's datasets and police every sector's", () => {
    expect(datasetsFor(["regulator"], "postal").map((d) => d.dataset)).toEqual(["shipments"]);
    expect(datasetsFor(["regulator"], "commerce").map((d) => d.dataset)).toEqual(["fuel-sales"]);
    expect(datasetsFor(["regulator"], null)).toEqual([]);
    expect(datasetsFor(["police"], null)).toHaveLength(6);
    expect(datasetsFor(["province-admin"], "postal")).toHaveLength(6);
  });

  it("lets only police and the province admin search a person's records", () => {
    expect(maySearchPersons(["police"])).toBe(true);
    expect(maySearchPersons(["province-admin"])).toBe(true);
    expect(maySearchPersons(["regulator"])).toBe(false);
    expect(maySearchPersons(["unit-security"])).toBe(false);
  });

  it("checks a resident ID number's check character before asking", () => {
    expect(isResidentId("210102199003071233")).toBe(true);
    expect(isResidentId("11010519491231002x")).toBe(true);
    expect(isResidentId("210102199003071234")).toBe(false);
    expect(isResidentId("21010219900307123")).toBe(false);
  });

  it("reads rates as percentages against their targets", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(1)).toBe("100.0%");
    expect(formatRate(0.99954)).toBe(">99.9%");
    expect(formatRate(0.00004)).toBe("<0.1%");
    expect(formatRate(0)).toBe("0.0%");
    expect(formatRate(2 / 3)).toBe("66.7%");
    expect(rateTone("xray_rate", 1)).toBe("success");
    expect(rateTone("xray_rate", 0.97)).toBe("warning");
    expect(rateTone("real_name_rate", 0.5)).toBe("error");
    expect(rateTone("rejection_rate", 0)).toBe("success");
    expect(rateTone("rejection_rate", 0.005)).toBe("success");
    expect(rateTone("rejection_rate", 0.05)).toBe("warning");
    expect(rateTone("rejection_rate", 0.3)).toBe("error");
    expect(rateTone("late_rate", null)).toBe("default");
  });

  it("fills the days without data with zeros", () => {
    expect(daysBetween("2026-11-29", "2026-12-02")).toEqual(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]);
    const volumes = volumesByDay({
      since: "2026-11-23",
      until: "2026-11-25",
      items: [{ day: "2026-11-24", received: 7, rejected: 1 } as never],
    });
    expect(volumes).toEqual([
      { day: "2026-11-23", received: 0, rejected: 0 },
      { day: "2026-11-24", received: 7, rejected: 1 },
      { day: "2026-11-25", received: 0, rejected: 0 },
    ]);
  });

  it("keeps the early warnings of the sector, newest first", () => {
    const alarms = [
      { id: "1", kind: "early_warning", sector: "commerce", received_at: "2026-11-25T01:00:00Z" },
      { id: "2", kind: "panic", sector: "postal", received_at: "2026-11-25T02:00:00Z" },
      { id: "3", kind: "early_warning", sector: "postal", received_at: "2026-11-24T01:00:00Z" },
      { id: "4", kind: "early_warning", sector: "postal", received_at: "2026-11-25T03:00:00Z" },
    ];
    expect(earlyWarnings(alarms, "postal").map((a) => a.id)).toEqual(["4", "3"]);
    expect(earlyWarnings(alarms).map((a) => a.id)).toEqual(["4", "1", "3"]);
    expect(warningTotal([{ count: 2 }, { count: 5 }])).toBe(7);
    expect(warningTotal([])).toBe(0);
  });

  it("summarises a record by its dataset's fields, and puts failing feeds first", () => {
    const record = {
      sector: "postal",
      dataset: "shipments",
      fields: { waybill_no: "SF1", sender_id_number: "210102********1233", receiver_name: "李*", item_name: "书籍" },
    };
    expect(summaryFields(record)).toEqual([
      ["waybill_no", "SF1"],
      ["sender_id_number", "210102********1233"],
      ["item_name", "书籍"],
    ]);
    const rows = [
      { client_id: "b", status: "healthy" as const },
      { client_id: "a", status: "late" as const },
      { client_id: "c", status: "failing" as const },
    ];
    expect([...rows].sort(byUrgency).map((r) => r.client_id)).toEqual(["c", "a", "b"]);
  });
});

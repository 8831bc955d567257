import { describe, expect, it } from "vitest";
import { LIAONING_CITIES } from "../charts/EChart";
import { figuresByCity } from "./DashboardPage";

const row = (key: string, online: number, offline: number, evaluated: number, compliant: number) => ({
  key, devices: online + offline + 1, online, offline, fault: 0, unknown: 1, online_rate: 0, offline_critical: offline,
  units: evaluated, units_evaluated: evaluated, units_compliant: compliant, compliance_rate: 0,
});

describe("the dashboard's map", () => {
  it("knows Liaoning's 14 cities by their GB/T 2260 codes", () => {
    expect(LIAONING_CITIES).toHaveLength(14);
    expect(LIAONING_CITIES).toContainEqual({ code: "210100", name: "沈阳市" });
    expect(LIAONING_CITIES).toContainEqual({ code: "210200", name: "大连市" });
  });

  it("adds districts up into their city and recomputes the rates from the counts", () => {
    const cities = figuresByCity([row("210102", 90, 10, 10, 9), row("210103", 10, 0, 10, 10), row("210202", 5, 5, 2, 1)]);
    expect(cities.get("210100")).toEqual({ devices: 112, offline_critical: 10, online_rate: 90.9, compliance_rate: 95 });
    expect(cities.get("210200")?.online_rate).toBe(50);
  });
});

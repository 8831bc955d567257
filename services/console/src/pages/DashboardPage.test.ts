import { describe, expect, it } from "vitest";
import { LIAONING_CITIES } from "../charts/EChart";
import { figuresBy, figuresByCity } from "../dashboard/figures";

const row = (key: string, online: number, offline: number, evaluated: number, compliant: number) => ({
  key, devices: online + offline + 1, online, offline, fault: 0, unknown: 1, online_rate: 0, offline_critical: offline,
  units: evaluated, units_evaluated: evaluated, units_compliant: compliant, compliance_rate: 0,
});
const unitRow = (key: string, keyUnits: number, filed: number, drills: number, hazards: number) => ({
  key, units: keyUnits * 10, key_units: keyUnits, key_units_filed: filed, filing_rate: 0, drills_overdue: drills,
  hazards_overdue: hazards, units_hazards_overdue: hazards,
});

describe("the dashboard's figures", () => {
  it("knows Liaoning's 14 cities by their GB/T 2260 codes", () => {
    expect(LIAONING_CITIES).toHaveLength(14);
    expect(LIAONING_CITIES).toContainEqual({ code: "210100", name: "沈阳市" });
    expect(LIAONING_CITIES).toContainEqual({ code: "210200", name: "大连市" });
  });

  it("adds districts up into their city and recomputes the rates from the counts", () => {
    const cities = figuresByCity(
      [row("210102", 90, 10, 10, 9), row("210103", 10, 0, 10, 10), row("210202", 5, 5, 2, 1)],
      [unitRow("210102", 4, 3, 1, 2), unitRow("210103", 2, 0, 1, 0), unitRow("210202", 1, 1, 0, 5)],
    );
    expect(cities.get("210100")).toEqual({
      devices: 112, offline_critical: 10, online_rate: 90.9, compliance_rate: 95,
      key_units: 6, filing_rate: 50, drills_overdue: 2, hazards_overdue: 2,
    });
    expect(cities.get("210200")).toMatchObject({ online_rate: 50, filing_rate: 100, hazards_overdue: 5 });
  });

  it("keeps groups that only one source knows, with zero for what the other would have said", () => {
    const sectors = figuresBy([{ ...row("postal", 1, 0, 1, 1) }], [unitRow("commerce", 2, 1, 0, 0)]);
    expect([...sectors.keys()]).toEqual(["commerce", "postal"]);
    expect(sectors.get("commerce")).toMatchObject({ key_units: 2, filing_rate: 50, devices: 0, online_rate: 0 });
    expect(sectors.get("postal")).toMatchObject({ key_units: 0, filing_rate: 0, online_rate: 100 });
  });

  it("leaves out the total's null key and keys that are not Liaoning's divisions on the map", () => {
    const cities = figuresByCity([{ ...row("210102", 1, 0, 1, 1) }, { ...row("110101", 1, 0, 1, 1) }], [
      { ...unitRow("210102", 1, 1, 0, 0), key: null },
    ]);
    expect([...cities.keys()]).toEqual(["210100"]);
    expect(cities.get("210100")?.key_units).toBe(0);
  });
});

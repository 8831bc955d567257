import { describe, expect, it } from "vitest";
import { maskPhone, maskResidentId } from "./mask";
import { formatTime } from "./time";

describe("masking personal data", () => {
  it("keeps only the region and the last four characters of a resident ID", () => {
    expect(maskResidentId("210102198307154455")).toBe("2101**********4455");
    expect(maskResidentId("21010219830715445X")).toBe("2101**********445X");
  });
  it("leaves a value the service already masked", () => {
    expect(maskResidentId("2101**********4455")).toBe("2101**********4455");
    expect(maskPhone("138****5678")).toBe("138****5678");
  });
  it("hides the middle of a phone number", () => {
    expect(maskPhone("13568777112")).toBe("135****7112");
    expect(maskPhone(null)).toBe("—");
  });
});

describe("times", () => {
  it("are shown in Asia/Shanghai whatever the browser's zone", () => {
    expect(formatTime("2026-11-25T01:57:10Z")).toBe("2026-11-25 09:57:10");
    expect(formatTime(null)).toBe("—");
  });
});

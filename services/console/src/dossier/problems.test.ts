import { describe, expect, it } from "vitest";
import { formProblems, pointerPath } from "./problems";

describe("problem+json on a form", () => {
  it("reads JSON pointers as field paths", () => {
    expect(pointerPath("/established_on")).toEqual(["established_on"]);
    expect(pointerPath("/evidence/0/description")).toEqual(["evidence", 0, "description"]);
    expect(pointerPath("/a~1b")).toEqual(["a/b"]);
    expect(pointerPath("")).toEqual([]);
  });

  it("puts each error on its field and keeps the rest as a message", () => {
    const problem = {
      status: 400,
      title: "The request has invalid fields.",
      errors: [
        { pointer: "/established_on", detail: "established_on is required (YYYY-MM-DD)" },
        { pointer: "/full_time_staff", detail: "a filing declares at least one staff member" },
        { pointer: "/evidence/0/uri", detail: "not a URL" },
        { pointer: "/version", detail: "stale" },
      ],
    };
    const found = formProblems(problem, ["established_on", "full_time_staff", "evidence"]);
    expect(found.fields).toEqual([
      { name: ["established_on"], errors: ["established_on is required (YYYY-MM-DD)"] },
      { name: ["full_time_staff"], errors: ["a filing declares at least one staff member"] },
      { name: ["evidence"], errors: ["not a URL"] },
    ]);
    expect(found.message).toBe("The request has invalid fields.; /version stale");
  });

  it("says what a problem without field errors says", () => {
    expect(formProblems({ status: 409, detail: "the filing is under review" }, ["x"])).toEqual({
      fields: [],
      message: "the filing is under review",
    });
    expect(formProblems({ status: 400, errors: [{ pointer: "/x", detail: "bad" }] }, ["x"]).message).toBe("");
  });
});

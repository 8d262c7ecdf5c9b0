import { describe, expect, it } from "vitest";
import { fieldKind, initialText, readField } from "./launchForm";

describe("the re-run form", () => {
  it("picks a field per type", () => {
    expect(["int", "float", "bool", "str", "list[int]", "dict[str, float]"].map(fieldKind))
      .toEqual(["int", "float", "bool", "str", "json", "json"]);
  });
  it("starts from the old value", () => {
    expect(initialText("float", 0.5)).toBe("0.5");
    expect(initialText("str", "a b")).toBe("a b");
    expect(initialText("json", [1, 2])).toBe("[1,2]");
    expect(initialText("bool", false)).toBe("false");
  });
  it("reads typed text or names what is wrong", () => {
    expect(readField("n", "int", " 42 ")).toEqual({ ok: true, value: 42 });
    expect(readField("n", "int", "4.2")).toEqual({ ok: false, error: expect.stringContaining("whole number") });
    expect(readField("lr", "float", "1e-3")).toEqual({ ok: true, value: 0.001 });
    expect(readField("lr", "float", "")).toEqual({ ok: false, error: expect.stringContaining("a number") });
    expect(readField("xs", "json", "[1, 2]")).toEqual({ ok: true, value: [1, 2] });
    expect(readField("xs", "json", "[1,")).toEqual({ ok: false, error: expect.stringContaining("not JSON") });
    expect(readField("f", "bool", "yes")).toEqual({ ok: false, error: expect.stringContaining("true or false") });
  });
});

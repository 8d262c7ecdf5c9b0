import { describe, expect, it } from "vitest";
import { diffSources, lineDiff, shortName } from "./sourceDiff";

describe("lineDiff", () => {
  it("numbers each line on its side", () => {
    const lines = lineDiff("def f(x):\n    return x * 2\n", "def f(x):\n    return x * 3\n");
    expect(lines).toEqual([
      { kind: "same", text: "def f(x):", oldNo: 1, newNo: 1 },
      { kind: "del", text: "    return x * 2", oldNo: 2, newNo: null },
      { kind: "add", text: "    return x * 3", oldNo: null, newNo: 2 },
    ]);
  });
});

describe("diffSources", () => {
  it("pairs sources by ref, else by the function's name, and puts changes first", () => {
    const pairs = diffSources(
      { "m:wf": "def wf(): ...\n", "m:v1.<locals>.scale": "x * 2\n", "m:gone": "old\n" },
      { "m:wf": "def wf(): ...\n", "m:v2.<locals>.scale": "x * 3\n", "m:new": "new\n" },
    );
    expect(pairs.map((p) => [p.name, p.state, p.added, p.removed])).toEqual([
      ["scale", "changed", 1, 1], ["new", "added", 1, 0], ["gone", "removed", 0, 1], ["wf", "same", 0, 0],
    ]);
    expect(pairs[0].beforeRef).toBe("m:v1.<locals>.scale");
    expect(shortName("pkg.mod:outer.<locals>.train")).toBe("train");
  });
});

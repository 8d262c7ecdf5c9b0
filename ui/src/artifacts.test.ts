import { describe, expect, it } from "vitest";
import { previewKind } from "./artifacts";

describe("previewKind", () => {
  it("picks images, JSON and text by name; SVG is text (the server sends it as text)", () => {
    expect(previewKind("plots/roc.PNG", 10, 1000)).toBe("image");
    expect(previewKind("report.json", 10, 1000)).toBe("json");
    expect(previewKind("model/MLmodel", 10, 1000)).toBe("text");
    expect(previewKind("chart.svg", 10, 1000)).toBe("text");
    expect(previewKind("model.pkl", 10, 1000)).toBe("none");
  });
  it("only downloads big text", () => {
    expect(previewKind("big.csv", 5000, 1000)).toBe("none");
    expect(previewKind("big.csv", null, 1000)).toBe("text");
  });
});

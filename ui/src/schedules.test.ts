import { describe, expect, it } from "vitest";
import { fromNow, launchLive, launchState, scheduleText, zonedTime } from "./schedules";
import type { LaunchPlan } from "./types";

const plan = (over: Partial<LaunchPlan>): LaunchPlan => ({
  name: "p", workflow_name: "w", workflow_version: "v", source_ref: "m:w", fixed_inputs: {}, default_inputs: {},
  schedule: null, catch_up: "skip", state: "ACTIVE", last_tick: null, next_fire_times: [], notify: null,
  executor: "", description: "", created_at: 0, updated_at: 0, ...over,
});

describe("launch states", () => {
  it("shows a refused start as a failure and claimed ticks as pending", () => {
    expect(launchState("ERROR")).toBe("failed");
    expect(launchState("FAILED")).toBe("failed");
    expect(launchState("CLAIMED")).toBe("pending");
    expect(launchState("SUCCEEDED")).toBe("succeeded");
    expect(launchLive("RUNNING")).toBe(true);
    expect(launchLive("ERROR")).toBe(false);
  });
});

describe("scheduleText", () => {
  it("names a cron expression with its time zone, a rate by its description", () => {
    const cron = { cron: "0 3 * * *", timezone: "Europe/Paris", every_seconds: null, anchor: null, description: "cron 0 3 * * * in Europe/Paris" };
    expect(scheduleText(plan({ schedule: cron }))).toBe("cron 0 3 * * * (Europe/Paris)");
    const rate = { cron: "", timezone: "UTC", every_seconds: 900, anchor: 10, description: "every 15m" };
    expect(scheduleText(plan({ schedule: rate }))).toBe("every 15m");
    expect(scheduleText(plan({}))).toBe("run by hand only");
  });
});

describe("fromNow", () => {
  it("counts down to a fire time", () => {
    expect(fromNow(100 + 3 * 3600 + 300, 100)).toBe("in 3 h 05 m");
    expect(fromNow(100, 100)).toBe("due now");
  });
});

describe("zonedTime", () => {
  it("reads a fire time on the plan's wall clock, across a DST change", () => {
    expect(zonedTime(1774684800, "Europe/Paris")).toBe("2026-03-28 09:00"); // 08:00 UTC, winter
    expect(zonedTime(1774684800 + 86400 - 3600, "Europe/Paris")).toBe("2026-03-29 09:00"); // summer
    expect(zonedTime(1774684800, "UTC")).toBe("2026-03-28 08:00");
  });
});

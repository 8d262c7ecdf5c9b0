/** How the Schedules pages show launch plans: a launch's display state, a plan's schedule and
 * how far away a fire time is. */
import type { DisplayState } from "./status";
import type { LaunchPlan } from "./types";
import { formatDuration } from "./format";

/** A launch's status (CLAIMED, RUNNING, SUCCEEDED, FAILED, ERROR) as a display state. */
export function launchState(status: string): DisplayState {
  switch (status) {
    case "CLAIMED": return "pending";
    case "RUNNING": return "running";
    case "SUCCEEDED": return "succeeded";
    default: return "failed"; // FAILED, ERROR (could not start)
  }
}

/** Whether a launch may still change (its row is polled while so). */
export function launchLive(status: string): boolean {
  return status === "CLAIMED" || status === "RUNNING";
}

/** "cron 0 3 * * * (Europe/Paris)", "every 15m" or "run by hand only". */
export function scheduleText(plan: LaunchPlan): string {
  const s = plan.schedule;
  if (!s) return "run by hand only";
  return s.cron ? `cron ${s.cron} (${s.timezone})` : s.description;
}

/** How far `at` is from `now` (epoch seconds): "in 3 h 05 m", "due now". */
export function fromNow(at: number, now: number): string {
  const ahead = at - now;
  return ahead <= 0 ? "due now" : `in ${formatDuration(ahead)}`;
}

/** Epoch seconds as wall-clock "YYYY-MM-DD HH:MM" in IANA zone `timeZone` (a cron plan's). */
export function zonedTime(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(at * 1000));
  const part = (kind: string) => parts.find((p) => p.type === kind)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")} ${part("hour")}:${part("minute")}`;
}

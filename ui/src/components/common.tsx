import type { ReactNode } from "react";
import { ApiError, type Status } from "../api";
import { STATE_COLOURS, statusState, type DisplayState } from "../status";

export function StatusBadge({ status, state }: { status: Status | string; state?: DisplayState }) {
  const shown = state ?? statusState(status as Status) ?? "pending";
  return (
    <span className="badge" data-state={shown} style={{ background: STATE_COLOURS[shown] }}>
      {state === "cached" ? "CACHED" : status}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="muted">Loading {what}…</p>;
}

export function Failure({ error }: { error: unknown }) {
  const text = error instanceof ApiError ? `${error.code}: ${error.message}`
    : error instanceof Error ? error.message : String(error);
  return <p className="error" role="alert">{text}</p>;
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="field">
      <span className="label">{label}</span>
      <span>{children}</span>
    </div>
  );
}

/** The public REST API (/api/v1), typed as the console uses it. Nothing else is read. */

export const API = "/api/v1";

export type Status =
  | "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "SKIPPED" | "ABORTED";

export interface ErrorInfo { kind: string; type: string; message: string; traceback: string }

export interface Execution {
  id: string;
  workflow_name: string;
  workflow_version: string;
  status: Status;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  duration: number | null;
  error: ErrorInfo | null;
  recovered_from: string | null;
  source_ref: string;
  executor: string;
  host: string;
  pid: number;
}

export interface Attempt {
  number: number;
  started_at: number;
  ended_at: number | null;
  status: Status;
  error: ErrorInfo | null;
  worker: string;
  log?: { digest: string; size: number; omitted: number } | null;
}

export interface NodeExecution {
  execution_id: string;
  node_id: string;
  name: string;
  kind: string;
  status: Status;
  parent_id: string | null;
  task_version: string;
  started_at: number | null;
  ended_at: number | null;
  duration: number | null;
  inputs: Record<string, unknown> | null;
  outputs: Record<string, unknown> | null;
  error: ErrorInfo | null;
  attempts: Attempt[];
  cache_status: string;
  cache_key: string | null;
  detail: Record<string, unknown>;
  run_ids: string[];
}

export interface ExecutionDetail { execution: Execution; nodes: NodeExecution[] }

export interface SpecNode {
  id: string;
  kind: string;
  name: string;
  inputs: Record<string, unknown>;
  upstream: string[];
  outputs: string[];
  version?: string;
}

export interface Workflow {
  name: string;
  version: string;
  source_ref: string;
  created_at: number;
  spec: { nodes: SpecNode[]; inputs: Record<string, { type: string; default?: unknown }> } | null;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
  tags: Record<string, string>;
}

export interface Metric { key: string; value: number; timestamp: number; step: number }

export interface Run {
  info: {
    run_id: string;
    experiment_id: string;
    run_name: string;
    user_id: string;
    status: string;
    start_time: number;
    end_time: number | null;
    artifact_uri: string;
    lifecycle_stage: string;
    parent_run_id: string | null;
    execution_id: string | null;
    node_id: string | null;
  };
  data: { metrics: Metric[]; params: Record<string, string>; tags: Record<string, string> };
}

export interface Dataset { name: string; digest: string; source_type: string; source: string }

export interface ModelVersion {
  name: string;
  version: number;
  source: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  run_id: string | null;
  model_id: string | null;
  status: string;
  description: string;
  user_id: string;
  tags: Record<string, string>;
  aliases: string[];
  execution_id: string | null;
  node_id: string | null;
  workflow_version: string | null;
  datasets: Dataset[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  tags: Record<string, string>;
  aliases: Record<string, number>;
  latest_versions: ModelVersion[];
}

export interface AliasEvent { alias: string; from_version: number | null; to_version: number | null; user_id: string; timestamp: number }

export interface Target { label: string; model_uri: string; traffic_percent: number }

export interface Deployment {
  name: string;
  targets: Target[];
  revision: number;
  status: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description: string;
  created_by: string;
}

export interface DeploymentEvent { revision: number; kind: string; user_id: string; timestamp: number; before: Target[]; after: Target[] }

export interface VersionFigures {
  label: string; model_version: string; requests: number; errors: number; error_rate: number;
  latency_ms_mean: number; latency_ms_max: number; since_ms: number; until_ms: number;
}

export interface Study {
  study_id: string; name: string; objective: string; direction: "minimize" | "maximize";
  space: Record<string, { name: string; attributes: Record<string, unknown> }>;
  algorithm: string; early_stopping: string; max_trials: number; status: string;
  created_at: number; ended_at: number | null; execution_id: string; parent_run_id: string;
  experiment_id: string;
}

export interface Trial {
  number: number; state: string; params: Record<string, unknown>; value: number | null;
  metrics: Record<string, number>; intermediate: { step: number; value: number }[];
  started_at: number; ended_at: number | null; node_id: string; run_id: string; error: string;
}

export interface Monitor {
  name: string; target_kind: string; target: string; reference: string; thresholds: Record<string, unknown>;
  plan: string; cooldown_seconds: number; created_at: number; run_id: string; last_fired_at: number | null;
}

export interface DriftTest { name: string; statistic: number | string; p_value: number | null; threshold: number; drifted: boolean }
export interface DriftFeature { feature: string; kind: string; drifted: boolean; reference_size: number; current_size: number; tests: DriftTest[] }

export interface DriftReport {
  report_id: string; monitor: string; created_at: number; reference: string; current: string;
  reference_size: number; current_size: number; drifted_share: number; data_drifted: boolean; drifted: boolean;
  features: DriftFeature[];
  quality: { metric: string; reference: number; current: number; drop: number; threshold: number; decayed: boolean } | null;
  run_id: string;
}

export interface Firing { firing_id: string; report_id: string; plan: string; fired_at: number; execution_id: string; error: string }

/** A preview of a stored value (GET /values/{digest}/preview). */
export type ValuePreviewData = { digest: string; fmt: string; size: number } & (
  | { kind: "table"; columns: { name: string; type: string }[]; rows: unknown[][]; total_rows: number }
  | { kind: "array"; dtype: string; shape: number[]; items: unknown[] }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string; truncated: boolean }
  | { kind: "image"; media_type: string }
  | { kind: "opaque" });

export interface ArtifactFile { path: string; is_dir: boolean; file_size?: number | null }

/** An error the API answered with: `{error_code, message}` and the HTTP status. */
export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(API + path, {
    ...init,
    headers: { Accept: "application/json", ...(init?.body ? { "Content-Type": "application/json" } : {}) },
  });
  if (!response.ok) {
    let code = "HTTP_" + response.status;
    let message = response.statusText;
    try {
      const body = await response.json();
      code = body.error_code ?? code;
      message = body.message ?? body.detail ?? message;
      if (typeof message !== "string") message = JSON.stringify(message);
    } catch {
      /* not JSON: keep the status line */
    }
    throw new ApiError(response.status, code, message);
  }
  if (response.status === 204) return null as T;
  return (await response.json()) as T;
}

function query(params: Record<string, string | number | null | undefined | string[]>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => q.append(key, v));
    else q.set(key, String(value));
  }
  const text = q.toString();
  return text ? "?" + text : "";
}

const send = (method: string, body?: unknown): RequestInit =>
  ({ method, body: body === undefined ? undefined : JSON.stringify(body) });
const model = (name: string) => `/registered-models/${encodeURIComponent(name)}`;
const deployment = (name: string) => `/deployments/${encodeURIComponent(name)}`;
const study = (name: string) => `/studies/${encodeURIComponent(name)}`;

export interface ExecutionFilter { workflow?: string; status?: string; since?: number; limit?: number; offset?: number }

export const api = {
  executions: (f: ExecutionFilter) =>
    request<{ executions: Execution[] }>("/executions" + query({ ...f })),
  execution: (id: string) => request<ExecutionDetail>(`/executions/${encodeURIComponent(id)}`),
  recover: (id: string) =>
    request<{ execution_id: string }>(`/executions/${encodeURIComponent(id)}/recover`, send("POST")),
  rerun: (id: string, inputs: Record<string, unknown>) =>
    request<{ execution_id: string }>(`/executions/${encodeURIComponent(id)}/rerun`, send("POST", { inputs })),
  launch: (name: string, version: string, inputs: Record<string, unknown>) =>
    request<{ execution_id: string }>(`/workflows/${encodeURIComponent(name)}/launch` + query({ version }), send("POST", { inputs })),
  workflows: (name?: string) => request<{ workflows: Workflow[] }>("/workflows" + query({ name })),
  workflow: (name: string, version?: string) =>
    request<Workflow>(`/workflows/${encodeURIComponent(name)}` + query({ version })),
  experiments: () =>
    request<{ experiments: Experiment[] }>("/experiments" + query({ max_results: 1000 })),
  experiment: (id: string) => request<Experiment>(`/experiments/${encodeURIComponent(id)}`),
  searchRuns: (body: { experiment_ids: string[]; filter: string; order_by: string[]; max_results: number; page_token?: string | null }) =>
    request<{ runs?: Run[]; next_page_token?: string | null }>("/runs/search", { method: "POST", body: JSON.stringify(body) }),
  run: (id: string) => request<Run>(`/runs/${encodeURIComponent(id)}`),
  /** A metric's history cut to about `maxPoints` (its envelope), for a chart. */
  metricSeries: (runId: string, key: string, maxPoints = 2000) =>
    request<{ metrics: Metric[]; total: number; downsampled: boolean }>(
      `/runs/${encodeURIComponent(runId)}/metric-series` + query({ key, max_points: maxPoints })),
  nodeLog: async (executionId: string, nodeId: string, attempt: number): Promise<string> => {
    const response = await fetch(`${API}/executions/${encodeURIComponent(executionId)}/nodes/${nodeId}/logs?attempt=${attempt}`);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new ApiError(response.status, body.error_code ?? `HTTP_${response.status}`, body.message ?? response.statusText);
    }
    return response.text();
  },
  models: () => request<{ registered_models: RegisteredModel[] }>("/registered-models" + query({ max_results: 1000 })),
  model: (name: string) => request<RegisteredModel>(model(name)),
  modelVersions: (name: string) => request<{ model_versions: ModelVersion[] }>(
    "/model-versions" + query({ filter: `name = '${name.replace(/'/g, "\\'")}'`, max_results: 1000 })),
  aliasHistory: (name: string) => request<{ events: AliasEvent[] }>(model(name) + "/alias-history"),
  setAlias: (name: string, alias: string, version: number) =>
    request<null>(model(name) + `/aliases/${encodeURIComponent(alias)}`, send("PUT", { version })),
  deployments: () => request<{ deployments: Deployment[] }>("/deployments"),
  deployment: (name: string) => request<Deployment>(deployment(name)),
  deploymentHistory: (name: string) => request<{ events: DeploymentEvent[] }>(deployment(name) + "/history"),
  deploymentStats: (name: string) => request<{ versions: VersionFigures[] }>(deployment(name) + "/stats"),
  setTraffic: (name: string, canaryPercent: number, revision: number) =>
    request<Deployment>(deployment(name) + "/traffic", send("POST", { canary_percent: canaryPercent, expected_revision: revision })),
  promote: (name: string, revision: number) =>
    request<Deployment>(deployment(name) + "/promote", send("POST", { expected_revision: revision })),
  rollback: (name: string, revision: number) =>
    request<Deployment>(deployment(name) + "/rollback", send("POST", { expected_revision: revision })),
  studies: () => request<{ studies: Study[] }>("/studies"),
  study: (name: string) => request<{ study: Study; trial_counts: Record<string, number>; best_trial: Trial | null }>(study(name)),
  trials: (name: string) => request<{ trials: Trial[] }>(study(name) + "/trials"),
  importance: (name: string) => request<{ trials: number; evaluator: string; importances: Record<string, number> }>(study(name) + "/importance"),
  valuePreview: (digest: string, fmt: string) =>
    request<ValuePreviewData>(`/values/${encodeURIComponent(digest)}/preview` + query({ fmt })),
  monitors: () => request<{ monitors: Monitor[] }>("/monitors"),
  monitor: (name: string) => request<{ monitor: Monitor; latest_report: DriftReport | null }>(`/monitors/${name.split("/").map(encodeURIComponent).join("/")}`),
  monitorReports: (name: string) => request<{ reports: DriftReport[] }>(`/monitors/${name.split("/").map(encodeURIComponent).join("/")}/reports`),
  monitorFirings: (name: string) => request<{ firings: Firing[] }>(`/monitors/${name.split("/").map(encodeURIComponent).join("/")}/firings`),
  artifacts: (runId: string, path?: string) =>
    request<{ files?: ArtifactFile[]; root_uri?: string }>(
      `/runs/${encodeURIComponent(runId)}/artifacts` + query({ path })),
};

/** Whether an execution or node in this status may still change. */
export function isLive(status: Status): boolean {
  return status === "QUEUED" || status === "RUNNING";
}

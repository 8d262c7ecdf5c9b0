/** The public REST API (/api/v1), typed as the console uses it. Nothing else is read. */

export const API = "/api/v1";

export type * from "./types";
import type {
  ArtifactFile, AliasEvent, LaunchPlan, PlanLaunch, Deployment, DeploymentEvent, DriftReport, Execution, ExecutionDetail, Experiment, Firing,
  Metric, ModelVersion, Monitor, RegisteredModel, Run, Status, Study, Trial, ValuePreviewData, VersionFigures, Workflow,
} from "./types";

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
const plan = (name: string) => `/launch-plans/${encodeURIComponent(name)}`;

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
  launchPlans: () => request<{ launch_plans: LaunchPlan[] }>("/launch-plans"),
  launchPlan: (name: string, limit = 50) =>
    request<{ launch_plan: LaunchPlan; launches: PlanLaunch[] }>(plan(name) + query({ limit })),
  pausePlan: (name: string) => request<LaunchPlan>(plan(name) + "/pause", send("POST")),
  resumePlan: (name: string) => request<LaunchPlan>(plan(name) + "/resume", send("POST")),
  runPlan: (name: string, inputs: Record<string, unknown> = {}) =>
    request<{ execution_id: string }>(plan(name) + "/launch", send("POST", { inputs, reason: "run now (console)" })),
  artifacts: (runId: string, path?: string) =>
    request<{ files?: ArtifactFile[]; root_uri?: string }>(
      `/runs/${encodeURIComponent(runId)}/artifacts` + query({ path })),
};

/** Whether an execution or node in this status may still change. */
export function isLive(status: Status): boolean {
  return status === "QUEUED" || status === "RUNNING";
}

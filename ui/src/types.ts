/** The wire shapes of the public REST API (/api/v1) the console reads. */

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
  ref?: string;
  /** A sub-workflow node's own graph (its node ids are local: "n0", not "n3/n0"). */
  subworkflow?: { nodes: SpecNode[] };
}

export interface Workflow {
  name: string;
  version: string;
  source_ref: string;
  created_at: number;
  spec: {
    nodes: SpecNode[]; inputs: Record<string, { type: string; default?: unknown }>;
    /** Source text of the workflow and each task it runs, by ref (versions registered before
     * sources were kept have none). */
    sources?: Record<string, string>;
  } | null;
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

export interface PlanSchedule { cron: string; timezone: string; every_seconds: number | null; anchor: number | null; description: string }

export interface LaunchPlan {
  name: string; workflow_name: string; workflow_version: string; source_ref: string;
  fixed_inputs: Record<string, unknown>; default_inputs: Record<string, unknown>;
  schedule: PlanSchedule | null; catch_up: string; state: "ACTIVE" | "PAUSED";
  last_tick: number | null; next_fire_times: number[];
  notify: { url: string; on: string[]; timeout_seconds: number; retries: number } | null;
  executor: string; description: string; created_at: number; updated_at: number;
}

export interface PlanLaunch {
  plan_name: string; kind: string; tick_at: number; claimed_at: number; claimed_by: string; reason: string;
  inputs: Record<string, unknown>; status: string; execution_id: string | null; error: string; ended_at: number | null;
}

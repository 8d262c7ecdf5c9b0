/** Recover a failed execution, or re-run it with new inputs (a form from its typed inputs). */
import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { api, type Execution, type Workflow } from "../api";
import { fieldKind, initialText, readField } from "../launchForm";
import { Failure } from "./common";

const RECOVERABLE = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

export function ExecutionActions({ execution, workflow }: { execution: Execution; workflow: Workflow | undefined }) {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const recover = useMutation({ mutationFn: () => api.recover(execution.id), onSuccess: (made) => navigate(`/executions/${made.execution_id}`) });
  return (
    <div className="actions-bar">
      {RECOVERABLE.has(execution.status) && (
        <button className="primary" disabled={recover.isPending} onClick={() => recover.mutate()}
                title="a new execution that reuses every node that succeeded">
          {recover.isPending ? "Recovering…" : "Recover"}
        </button>
      )}
      <button onClick={() => setOpen(!open)} disabled={!workflow?.spec}>Re-run…</button>
      {recover.error && <Failure error={recover.error} />}
      {open && workflow?.spec && (
        <InputsForm title={`Re-run ${execution.workflow_name} with`} inputs={workflow.spec.inputs} testId="rerun-form"
                    initial={execution.inputs ?? {}} run={(values) => api.rerun(execution.id, values)} />
      )}
    </div>
  );
}

/**
 * A form from a workflow's typed inputs (see launchForm.ts), starting at `initial`; `run` gets
 * the values read from every field.
 */
export function InputsForm({ title, inputs, initial, run, testId }: {
  title: string; inputs: Record<string, { type: string }>; initial: Record<string, unknown>;
  run: (values: Record<string, unknown>) => Promise<{ execution_id: string }>; testId: string;
}) {
  const navigate = useNavigate();
  const names = Object.keys(inputs);
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(
    names.map((n) => [n, initialText(fieldKind(inputs[n].type), initial[n])])));
  const start = useMutation({ mutationFn: run, onSuccess: (made) => navigate(`/executions/${made.execution_id}`) });
  const reads = names.map((n) => ({ name: n, read: readField(n, fieldKind(inputs[n].type), texts[n]) }));
  const problems = reads.flatMap((r) => (r.read.ok ? [] : [r.read.error]));
  const submit = () => {
    const values: Record<string, unknown> = {};
    for (const r of reads) if (r.read.ok) values[r.name] = r.read.value;
    start.mutate(values);
  };
  return (
    <form className="panel rerun" data-testid={testId} onSubmit={(e) => { e.preventDefault(); if (!problems.length) submit(); }}>
      <h3>{title}</h3>
      {names.length === 0 && <p className="muted">No inputs.</p>}
      {names.map((n) => {
        const kind = fieldKind(inputs[n].type);
        const set = (value: string) => setTexts((old) => ({ ...old, [n]: value }));
        return (
          <label key={n} className="rerun-field">
            <span>{n} <span className="muted mono">{inputs[n].type}</span></span>
            {kind === "bool"
              ? <input type="checkbox" aria-label={`input ${n}`} checked={texts[n] === "true"} onChange={(e) => set(e.target.checked ? "true" : "false")} />
              : kind === "json"
                ? <textarea aria-label={`input ${n}`} value={texts[n]} rows={2} onChange={(e) => set(e.target.value)} />
                : <input type="text" aria-label={`input ${n}`} value={texts[n]} onChange={(e) => set(e.target.value)} />}
          </label>
        );
      })}
      {problems.map((p) => <p key={p} className="error small">{p}</p>)}
      <button type="submit" className="primary" disabled={problems.length > 0 || start.isPending}>{start.isPending ? "Starting…" : "Run"}</button>
      {start.error && <Failure error={start.error} />}
    </form>
  );
}

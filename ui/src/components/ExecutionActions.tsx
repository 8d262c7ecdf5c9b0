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
  const started = (made: { execution_id: string }) => { setOpen(false); navigate(`/executions/${made.execution_id}`); };
  const recover = useMutation({ mutationFn: () => api.recover(execution.id), onSuccess: started });
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
      {open && workflow?.spec && <RerunForm execution={execution} inputs={workflow.spec.inputs} onStarted={started} />}
    </div>
  );
}

function RerunForm({ execution, inputs, onStarted }: {
  execution: Execution; inputs: Record<string, { type: string }>; onStarted: (made: { execution_id: string }) => void;
}) {
  const names = Object.keys(inputs);
  const [texts, setTexts] = useState<Record<string, string>>(() => Object.fromEntries(
    names.map((n) => [n, initialText(fieldKind(inputs[n].type), execution.inputs?.[n])])));
  const rerun = useMutation({ mutationFn: (values: Record<string, unknown>) => api.rerun(execution.id, values), onSuccess: onStarted });
  const reads = names.map((n) => ({ name: n, read: readField(n, fieldKind(inputs[n].type), texts[n]) }));
  const problems = reads.flatMap((r) => (r.read.ok ? [] : [r.read.error]));
  const submit = () => {
    const values: Record<string, unknown> = {};
    for (const r of reads) if (r.read.ok) values[r.name] = r.read.value;
    rerun.mutate(values);
  };
  return (
    <form className="panel rerun" data-testid="rerun-form" onSubmit={(e) => { e.preventDefault(); if (!problems.length) submit(); }}>
      <h3>Re-run {execution.workflow_name} with</h3>
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
      <button type="submit" className="primary" disabled={problems.length > 0 || rerun.isPending}>{rerun.isPending ? "Starting…" : "Run"}</button>
      {rerun.error && <Failure error={rerun.error} />}
    </form>
  );
}

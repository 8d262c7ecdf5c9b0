/**
 * Inputs and outputs as recorded: scalars inline, lists and objects as capped JSON; a value kept
 * in the artifact store (`{"$blob": digest, "fmt"}`) is previewed through the API (a table's
 * first rows, an array's shape, text, an image), and a whole map kept there (`{"$literals"}`)
 * is fetched and shown like an inline one.
 */
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { Failure } from "./common";

const MAX_ITEMS = 20;

type BlobRef = { $blob: string; fmt?: string; size?: number };

function isBlob(value: unknown): value is BlobRef {
  return typeof value === "object" && value !== null && "$blob" in value;
}

function capped(value: unknown): unknown {
  if (Array.isArray(value)) {
    const head = value.slice(0, MAX_ITEMS).map(capped);
    return value.length > MAX_ITEMS ? [...head, `… ${value.length - MAX_ITEMS} more`] : head;
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).slice(0, MAX_ITEMS).map(([k, v]) => [k, capped(v)]));
  }
  return value;
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function BlobPreview({ blob }: { blob: BlobRef }) {
  const fmt = blob.fmt ?? "bytes";
  const shown = useQuery({ queryKey: ["value", blob.$blob, fmt], queryFn: () => api.valuePreview(blob.$blob, fmt), staleTime: Infinity });
  const raw = `/api/v1/values/${blob.$blob}`;
  const head = <span className="blob" title={blob.$blob}>{fmt} · {blob.size ?? "?"} B · <a href={raw}>download</a></span>;
  if (shown.error) return <div>{head}<Failure error={shown.error} /></div>;
  const p = shown.data;
  if (!p) return <div>{head} <span className="muted">loading…</span></div>;
  switch (p.kind) {
    case "table":
      return (
        <div data-preview="table">
          {head} <span className="muted">{p.total_rows} rows × {p.columns.length} columns</span>
          <div className="table-scroll preview-table">
            <table className="grid small">
              <thead><tr>{p.columns.map((c) => <th key={c.name} title={c.type}>{c.name}</th>)}</tr></thead>
              <tbody>{p.rows.map((r, i) => <tr key={i}>{r.map((v, j) => <td key={j}>{formatCell(v)}</td>)}</tr>)}</tbody>
            </table>
          </div>
          {p.total_rows > p.rows.length && <span className="muted small">first {p.rows.length} of {p.total_rows}</span>}
        </div>
      );
    case "array":
      return <div data-preview="array">{head} <span className="muted">{p.dtype} [{p.shape.join(" × ")}]</span><pre className="value">{JSON.stringify(p.items)}</pre></div>;
    case "json":
      return <div data-preview="json">{head}<ValuePreview value={p.value} /></div>;
    case "text":
      return <div data-preview="text">{head}<pre className="value">{p.text}{p.truncated ? "\n…" : ""}</pre></div>;
    case "image":
      return <div data-preview="image">{head}<img className="artifact-image" src={raw} alt={`value ${blob.$blob.slice(0, 8)}`} /></div>;
    case "opaque":
      return <div data-preview="opaque">{head} <span className="muted">(not opened in the browser)</span></div>;
  }
}

export function ValuePreview({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (isBlob(value)) return <BlobPreview blob={value} />;
  if (typeof value === "string") {
    return value.length > 200 || value.includes("\n")
      ? <pre className="value">{value.slice(0, 4000)}{value.length > 4000 ? "\n…" : ""}</pre>
      : <code>{JSON.stringify(value)}</code>;
  }
  if (typeof value !== "object") return <code>{String(value)}</code>;
  const flat = Array.isArray(value) && value.every((v) => v === null || typeof v !== "object");
  const text = JSON.stringify(capped(value), null, flat ? 0 : 2);
  const length = Array.isArray(value) ? ` (${value.length} items)` : "";
  return (
    <div>
      {length && <span className="muted">list{length}</span>}
      <pre className="value">{text}</pre>
    </div>
  );
}

/** A map kept whole in the artifact store, fetched, then shown as a table. */
function StoredMap({ blob, empty }: { blob: BlobRef; empty: string }) {
  const shown = useQuery({ queryKey: ["value", blob.$blob, "json"], queryFn: () => api.valuePreview(blob.$blob, "json"), staleTime: Infinity });
  if (shown.error) return <Failure error={shown.error} />;
  if (!shown.data) return <p className="muted">loading…</p>;
  if (shown.data.kind !== "json") return <BlobPreview blob={blob} />;
  return <ValueTable values={shown.data.value as Record<string, unknown>} empty={empty} />;
}

export function ValueTable({ values, empty }: { values: Record<string, unknown> | null; empty: string }) {
  const stored = values?.["$literals"];
  if (isBlob(stored)) return <StoredMap blob={stored} empty={empty} />;
  const entries = Object.entries(values ?? {});
  if (!entries.length) return <p className="muted">{empty}</p>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name} data-value={name}>
            <th>{name}</th>
            <td><ValuePreview value={value} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

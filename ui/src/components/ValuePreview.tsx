/** Inputs and outputs as recorded: scalars inline, lists and objects as capped JSON, blobs by hash. */

const MAX_ITEMS = 20;

function isBlob(value: unknown): value is { $blob: string } {
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

export function ValuePreview({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="muted">none</span>;
  if (isBlob(value)) {
    return <span className="blob" title="stored in the artifact store">blob {value.$blob.slice(0, 12)}…</span>;
  }
  if (typeof value === "string") {
    return value.length > 200 || value.includes("\n")
      ? <pre className="value">{value.slice(0, 4000)}</pre>
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

export function ValueTable({ values, empty }: { values: Record<string, unknown> | null; empty: string }) {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return <p className="muted">{empty}</p>;
  return (
    <table className="kv">
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th>{name}</th>
            <td><ValuePreview value={value} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A run's artifacts: folders to walk into, and a preview of the picked file (images, text,
 *  JSON pretty-printed; anything else is a download link). */
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api, type ArtifactFile } from "../api";
import { previewKind } from "../artifacts";
import { Failure } from "./common";

const MAX_PREVIEW = 200_000;

function fileUrl(runId: string, path: string): string {
  return `/api/v1/runs/${encodeURIComponent(runId)}/artifacts/${path.split("/").map(encodeURIComponent).join("/")}`;
}

function Preview({ runId, file }: { runId: string; file: ArtifactFile }) {
  const kind = previewKind(file.path, file.file_size ?? null, MAX_PREVIEW);
  const text = useQuery({
    queryKey: ["artifact-text", runId, file.path],
    queryFn: async () => {
      const response = await fetch(fileUrl(runId, file.path));
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      const body = await response.text();
      if (kind !== "json") return body;
      try { return JSON.stringify(JSON.parse(body), null, 2); } catch { return body; }
    },
    enabled: kind === "text" || kind === "json",
  });
  const url = fileUrl(runId, file.path);
  return (
    <div className="artifact-preview" data-testid="artifact-preview" data-kind={kind}>
      <div className="page-head"><strong>{file.path}</strong><a href={url} download>download</a></div>
      {kind === "image" && <img src={url} alt={file.path} className="artifact-image" />}
      {(kind === "text" || kind === "json") && (text.error ? <Failure error={text.error} /> : <pre className="value">{text.data ?? "…"}</pre>)}
      {kind === "none" && <p className="muted">No preview for this file ({file.file_size ?? "?"} bytes).</p>}
    </div>
  );
}

export function ArtifactBrowser({ runId }: { runId: string }) {
  const [folder, setFolder] = useState("");
  const [picked, setPicked] = useState<ArtifactFile | null>(null);
  const listing = useQuery({ queryKey: ["artifacts", runId, folder], queryFn: () => api.artifacts(runId, folder || undefined) });
  const files = listing.data?.files ?? [];
  const parts = folder ? folder.split("/") : [];
  return (
    <div className="artifacts" data-testid="artifacts">
      <div className="crumbs">
        <button className="link" onClick={() => { setFolder(""); setPicked(null); }}>artifacts</button>
        {parts.map((p, i) => (
          <span key={i}> / <button className="link" onClick={() => setFolder(parts.slice(0, i + 1).join("/"))}>{p}</button></span>
        ))}
      </div>
      {listing.error ? <Failure error={listing.error} /> : files.length === 0 ? <p className="muted">No artifacts{folder ? " here" : ""}.</p> : (
        <div className="split">
          <ul className="artifact-list">
            {files.map((f) => {
              const name = f.path.split("/").pop();
              return (
                <li key={f.path} data-artifact={f.path}>
                  {f.is_dir
                    ? <button className="link" onClick={() => { setFolder(f.path); setPicked(null); }}>▸ {name}/</button>
                    : <button className={"link" + (picked?.path === f.path ? " picked" : "")} onClick={() => setPicked(f)}>{name}</button>}
                  {!f.is_dir && <span className="muted small"> {f.file_size ?? "?"} B</span>}
                </li>
              );
            })}
          </ul>
          {picked && <Preview runId={runId} file={picked} />}
        </div>
      )}
    </div>
  );
}

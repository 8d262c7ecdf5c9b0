/** How an artifact is previewed, by its name (and size: big text is only downloaded). */
export type PreviewKind = "image" | "json" | "text" | "none";

const IMAGE = new Set(["png", "jpg", "jpeg", "gif", "webp", "bmp"]);
const TEXT = new Set(["txt", "log", "csv", "tsv", "md", "yaml", "yml", "py", "toml", "ini", "cfg", "html", "svg", "xml", "sql"]);
const TEXT_NAMES = new Set(["MLmodel", "requirements.txt", "conda.yaml", "python_env.yaml", "LICENSE", "README"]);

export function previewKind(path: string, size: number | null, maxText: number): PreviewKind {
  const name = path.split("/").pop() ?? path;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
  if (IMAGE.has(ext)) return "image";
  const textual = ext === "json" || TEXT.has(ext) || TEXT_NAMES.has(name);
  if (!textual) return "none";
  if (size !== null && size > maxText) return "none";
  return ext === "json" ? "json" : "text";
}

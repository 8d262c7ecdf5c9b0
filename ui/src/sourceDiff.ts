/**
 * The source side of a diff between two workflow versions. A registered version keeps the
 * source text of the workflow and of each task it runs (`spec.sources`, by ref
 * "module:qualname"). Sources are paired by ref, else by the function's own name (a task
 * defined elsewhere keeps its name), and each pair is diffed line by line (the `diff` package).
 */
import { diffLines } from "diff";

export type SourceState = "added" | "removed" | "changed" | "same";
export interface DiffLine { kind: "add" | "del" | "same"; text: string; oldNo: number | null; newNo: number | null }
export interface SourcePair {
  name: string; state: SourceState; beforeRef?: string; afterRef?: string;
  lines: DiffLine[]; added: number; removed: number;
}

/** The function's name in a ref: "pkg.mod:outer.<locals>.train" -> "train". */
export function shortName(ref: string): string {
  const qualname = ref.includes(":") ? ref.slice(ref.indexOf(":") + 1) : ref;
  return qualname.slice(qualname.lastIndexOf(".") + 1);
}

/** `before` against `after`, line by line, with each line's number on its side. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  let oldNo = 1;
  let newNo = 1;
  for (const change of diffLines(before, after)) {
    const lines = change.value.replace(/\n$/, "").split("\n");
    for (const text of lines) {
      if (change.added) out.push({ kind: "add", text, oldNo: null, newNo: newNo++ });
      else if (change.removed) out.push({ kind: "del", text, oldNo: oldNo++, newNo: null });
      else out.push({ kind: "same", text, oldNo: oldNo++, newNo: newNo++ });
    }
  }
  return out;
}

function pair(name: string, before: [string, string] | undefined, after: [string, string] | undefined): SourcePair {
  const lines = lineDiff(before?.[1] ?? "", after?.[1] ?? "");
  const added = lines.filter((l) => l.kind === "add").length;
  const removed = lines.filter((l) => l.kind === "del").length;
  const state: SourceState = !before ? "added" : !after ? "removed" : added + removed > 0 ? "changed" : "same";
  return { name, state, beforeRef: before?.[0], afterRef: after?.[0], lines, added, removed };
}

/** Every source of either version paired with its counterpart; changed ones first. */
export function diffSources(before: Record<string, string>, after: Record<string, string>): SourcePair[] {
  const pairs: SourcePair[] = [];
  const left = new Map(Object.entries(before));
  const right = new Map(Object.entries(after));
  for (const [ref, text] of [...right]) {
    if (left.has(ref)) {
      pairs.push(pair(shortName(ref), [ref, left.get(ref)!], [ref, text]));
      left.delete(ref);
      right.delete(ref);
    }
  }
  for (const [ref, text] of [...right]) {
    const name = shortName(ref);
    const match = [...left].find(([old]) => shortName(old) === name);
    if (match) left.delete(match[0]);
    pairs.push(pair(name, match, [ref, text]));
  }
  for (const [ref, text] of left) pairs.push(pair(shortName(ref), [ref, text], undefined));
  const order: Record<SourceState, number> = { changed: 0, added: 1, removed: 2, same: 3 };
  return pairs.sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name));
}

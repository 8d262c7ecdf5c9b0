/**
 * The re-run form, generated from the workflow's typed inputs: a number box for int and float,
 * a checkbox for bool, a text box for str, JSON for anything else; each field starts at the old
 * execution's value. `readField` turns what was typed into the JSON value sent, or says what is
 * wrong with it.
 */
export type FieldKind = "int" | "float" | "bool" | "str" | "json";

export function fieldKind(type: string): FieldKind {
  const t = type.replace(/\s/g, "");
  if (t === "int" || t === "float" || t === "bool" || t === "str") return t;
  return "json";
}

/** What the field shows first: the old value as text (a blob reference cannot be edited). */
export function initialText(kind: FieldKind, value: unknown): string {
  if (value === undefined || value === null) return kind === "json" ? "null" : "";
  if (kind === "str" && typeof value === "string") return value;
  if (kind === "bool") return value ? "true" : "false";
  return JSON.stringify(value);
}

export type Read = { ok: true; value: unknown } | { ok: false; error: string };

export function readField(name: string, kind: FieldKind, text: string): Read {
  const t = text.trim();
  switch (kind) {
    case "str":
      return { ok: true, value: text };
    case "bool":
      if (t === "true" || t === "false") return { ok: true, value: t === "true" };
      return { ok: false, error: `${name}: true or false, not ${JSON.stringify(text)}` };
    case "int":
      if (/^-?\d+$/.test(t)) return { ok: true, value: Number(t) };
      return { ok: false, error: `${name}: a whole number, not ${JSON.stringify(text)}` };
    case "float":
      if (t !== "" && Number.isFinite(Number(t))) return { ok: true, value: Number(t) };
      return { ok: false, error: `${name}: a number, not ${JSON.stringify(text)}` };
    case "json":
      try {
        return { ok: true, value: JSON.parse(t) };
      } catch (e) {
        return { ok: false, error: `${name}: not JSON (${(e as Error).message})` };
      }
  }
}

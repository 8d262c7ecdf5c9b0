/**
 * The runs table's filter box speaks the API's filter syntax (MLflow's):
 *   metrics.acc > 0.9 and params.C = '1.0' and tags.family LIKE 'tree%'
 * `parseFilter` checks it before it is sent (so a typo is reported at once, next to the box)
 * and lists the keys it names, which the table then shows as columns. The server stays the
 * judge: what parses here is sent as typed.
 */

export type Entity = "metrics" | "params" | "tags" | "attributes";
export type Comparator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE" | "ILIKE" | "IN" | "NOT IN";

export interface Clause {
  entity: Entity;
  key: string;
  comparator: Comparator;
  value: string | number | string[];
}

export type Parsed = { ok: true; clauses: Clause[] } | { ok: false; error: string };

const ENTITY_ALIASES: Record<string, Entity> = {
  metric: "metrics", metrics: "metrics",
  param: "params", params: "params", parameter: "params", parameters: "params",
  tag: "tags", tags: "tags",
  attribute: "attributes", attributes: "attributes", attr: "attributes", run: "attributes",
};

const TOKEN = new RegExp(
  [
    String.raw`(?<ws>\s+)`,
    String.raw`(?<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")`,
    String.raw`(?<num>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![\w.])`,
    String.raw`(?<op>!=|<=|>=|=|<|>)`,
    String.raw`(?<paren>[(),])`,
    String.raw`(?<ident>(?:[A-Za-z_][\w]*)(?:\.(?:\x60[^\x60]*\x60|"[^"]*"|[\w.\-/:]+))?)`,
  ].join("|"),
  "y",
);

type Token = { kind: "str" | "num" | "op" | "paren" | "ident"; text: string; at: number };

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m || !m.groups) return `unexpected character ${JSON.stringify(text[at])} at ${at + 1}`;
    const g = m.groups;
    if (g.ws !== undefined) continue;
    const kind = (["str", "num", "op", "paren", "ident"] as const).find((k) => g[k] !== undefined)!;
    tokens.push({ kind, text: m[0], at });
  }
  return tokens;
}

function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\(.)/g, "$1");
}

function splitKey(ident: string): { entity: Entity; key: string } | string {
  const dot = ident.indexOf(".");
  if (dot < 0) {
    return `${JSON.stringify(ident)} names no field: write metrics.${ident}, params.${ident} or tags.${ident}`;
  }
  const prefix = ident.slice(0, dot).toLowerCase();
  const entity = ENTITY_ALIASES[prefix];
  if (!entity) {
    return `unknown field type ${JSON.stringify(prefix)}: use metrics., params., tags. or attributes.`;
  }
  let key = ident.slice(dot + 1);
  if (/^[`"].*[`"]$/.test(key)) key = key.slice(1, -1);
  if (!key) return `${JSON.stringify(ident)} has no key after the dot`;
  return { entity, key };
}

/** Parse a filter string; the empty string is the empty filter. */
export function parseFilter(text: string): Parsed {
  const tokens = tokenize(text);
  if (typeof tokens === "string") return { ok: false, error: tokens };
  const clauses: Clause[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const where = (t: Token | undefined) => (t ? `at ${t.at + 1}` : "at the end");
  while (i < tokens.length) {
    if (clauses.length > 0) {
      const and = tokens[i++];
      if (and.kind !== "ident" || and.text.toLowerCase() !== "and") {
        return { ok: false, error: `expected AND between conditions ${where(and)} (OR is not supported)` };
      }
    }
    const field = tokens[i++];
    if (!field || field.kind !== "ident") {
      return { ok: false, error: `expected a field such as metrics.acc ${where(field)}` };
    }
    const named = splitKey(field.text);
    if (typeof named === "string") return { ok: false, error: named };
    let comparator: Comparator;
    const op = tokens[i++];
    if (op?.kind === "op") comparator = op.text as Comparator;
    else if (op?.kind === "ident" && ["like", "ilike", "in"].includes(op.text.toLowerCase())) {
      comparator = op.text.toUpperCase() as Comparator;
    } else if (op?.kind === "ident" && op.text.toLowerCase() === "not" &&
               peek()?.text.toLowerCase() === "in") {
      i++;
      comparator = "NOT IN";
    } else {
      return { ok: false, error: `expected a comparison (=, !=, <, <=, >, >=, LIKE, IN) after ${field.text} ${where(op)}` };
    }
    if (comparator === "IN" || comparator === "NOT IN") {
      if (peek()?.text !== "(") return { ok: false, error: `expected ( after ${comparator} ${where(peek())}` };
      i++;
      const items: string[] = [];
      for (;;) {
        const item = tokens[i++];
        if (!item || item.kind !== "str") return { ok: false, error: `expected a quoted value in the list ${where(item)}` };
        items.push(unquote(item.text));
        const sep = tokens[i++];
        if (sep?.text === ")") break;
        if (sep?.text !== ",") return { ok: false, error: `expected , or ) in the list ${where(sep)}` };
      }
      clauses.push({ ...named, comparator, value: items });
      continue;
    }
    const value = tokens[i++];
    if (!value || (value.kind !== "str" && value.kind !== "num")) {
      return { ok: false, error: `expected a value after ${field.text} ${comparator} ${where(value)}` };
    }
    if (named.entity === "metrics" && value.kind !== "num") {
      return { ok: false, error: `${field.text} is a metric: compare it with a number, not ${value.text}` };
    }
    if ((named.entity === "params" || named.entity === "tags") && value.kind !== "str") {
      return { ok: false, error: `${field.text} is a string: quote the value ('${value.text}')` };
    }
    clauses.push({ ...named, comparator, value: value.kind === "num" ? Number(value.text) : unquote(value.text) });
  }
  return { ok: true, clauses };
}

/** The keys a filter names, by entity, for the columns to show. */
export function keysNamed(clauses: Clause[], entity: Entity): string[] {
  return [...new Set(clauses.filter((c) => c.entity === entity).map((c) => c.key))];
}

/** A column id ("metrics.acc", "attributes.start_time") as the API's order_by clause. */
export function orderByClause(columnId: string, descending: boolean): string {
  const dot = columnId.indexOf(".");
  const entity = columnId.slice(0, dot);
  const key = columnId.slice(dot + 1);
  const quoted = /^[\w]+$/.test(key) ? key : `\`${key}\``;
  return `${entity}.${quoted} ${descending ? "DESC" : "ASC"}`;
}

import type { Problem } from "../api/client";

/** A form field's path (Ant Design's NamePath) and what the gateway said about it. */
export interface FieldProblem {
  name: (string | number)[];
  errors: string[];
}

/** The field path of a JSON pointer ("/evidence/0/description" -> ["evidence", 0, "description"]). */
export function pointerPath(pointer: string): (string | number)[] {
  if (!pointer.startsWith("/")) return [];
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"))
    .map((token) => (/^\d+$/.test(token) ? Number(token) : token));
}

/**
 * The gateway's problem+json split into errors on the form's own fields (from `errors[].pointer`) and a
 * general message for the rest (the problem's detail, and errors on fields the form does not have).
 */
export function formProblems(
  error: unknown,
  fields: readonly string[],
): { fields: FieldProblem[]; message: string } {
  const problem = (error && typeof error === "object" ? error : { detail: String(error) }) as Problem;
  const byField = new Map<string, FieldProblem>();
  const other: string[] = [];
  for (const item of problem.errors ?? []) {
    const path = pointerPath(item.pointer ?? "");
    const detail = item.detail ?? "";
    // An error inside a list field (/evidence/0/uri) belongs to the list's own control.
    const head = path.length > 0 && fields.includes(String(path[0])) ? [path[0]!] : null;
    if (!head) {
      other.push(`${item.pointer ?? ""} ${detail}`.trim());
      continue;
    }
    const key = String(head[0]);
    const found = byField.get(key) ?? { name: head, errors: [] };
    found.errors.push(detail);
    byField.set(key, found);
  }
  const general = byField.size > 0 && other.length === 0 ? "" : (problem.detail ?? problem.title ?? "");
  return { fields: [...byField.values()], message: [general, ...other].filter(Boolean).join("; ") };
}

/** Ids carried by a workflow event: `{ id }`, `{ ids }` or an array of either. */
export function idsFromEvent(data: unknown): string[] {
  const out = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === "string" && value) out.add(value);
    else if (Array.isArray(value)) for (const v of value) visit(v);
    else if (typeof value === "object" && value !== null) {
      const record = value as { id?: unknown; ids?: unknown };
      visit(record.id);
      visit(record.ids);
    }
  };
  visit(data);
  return [...out];
}

/** Prints rows as an aligned plain-text table (also valid Markdown). */

export function printTable(columns: string[], rows: (string | number)[][], out = process.stdout): void {
  const cells = rows.map((r) => r.map(String));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  out.write(`${line(columns)}\n`);
  out.write(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const r of cells) out.write(`${line(r)}\n`);
}

export const fmt = {
  rps: (n: number) => (Number.isFinite(n) ? Math.round(n).toString() : '—'),
  ms: (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—'),
  pct: (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '—'),
  mb: (bytes: number) => (bytes > 0 ? (bytes / 1024 / 1024).toFixed(0) : '—'),
};

// Small statistics and formatting helpers for the bench.

/** Linear-interpolated quantile (q in [0, 1]) of a list of numbers; NaN when empty. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

/** { n, median, p10, p90, p99, min, max, mean } of `values`. */
export function summarize(values) {
  const n = values.length;
  return {
    n,
    median: quantile(values, 0.5),
    p10: quantile(values, 0.1),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    min: n ? Math.min(...values) : Number.NaN,
    max: n ? Math.max(...values) : Number.NaN,
    mean: n ? values.reduce((sum, value) => sum + value, 0) / n : Number.NaN,
  };
}

/** A number with a sensible number of digits. */
export function fmt(value, digits) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (digits !== undefined) return value.toFixed(digits);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** `median (p10–p90)` */
export function spread(summary, digits) {
  if (!summary || summary.n === 0) return '—';
  return `${fmt(summary.median, digits)} (${fmt(summary.p10, digits)}–${fmt(summary.p90, digits)})`;
}

/** A Markdown table. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Parse the first Markdown table after a heading that contains `heading` (used by the test). */
export function parseTable(markdown, heading) {
  const lines = markdown.split('\n');
  let index = lines.findIndex((text) => text.startsWith('#') && text.includes(heading));
  if (index < 0) return null;
  while (index < lines.length && !lines[index].startsWith('|')) index++;
  const rows = [];
  while (index < lines.length && lines[index].startsWith('|')) {
    rows.push(lines[index].slice(1, -1).split('|').map((cell) => cell.trim()));
    index++;
  }
  if (rows.length < 2) return null;
  const [header, , ...body] = rows;
  return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]])));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

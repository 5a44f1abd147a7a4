import { cpus, totalmem, platform, release } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';

export interface Row {
  benchmark: string;
  measure: string;
  platform: string;
  baseline: string;
  ratio: string;
  target: string;
  met: 'yes' | 'no' | '';
}

export function machine() {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), os: `${platform()} ${release()}`, node: process.version };
}

export function ratio(platformValue: number, baselineValue: number): string {
  return baselineValue > 0 ? `${(platformValue / baselineValue).toFixed(2)}x` : '';
}

/** The components that used the most of a resource, largest first. */
export function breakdown(perRequest: Record<string, number>): string {
  return Object.entries(perRequest)
    .filter(([component]) => component !== 'total')
    .sort(([, a], [, b]) => b - a)
    .slice(0, 6)
    .map(([component, milliseconds]) => `${component} ${milliseconds}`)
    .join(', ');
}

export function printTable(rows: Row[]): void {
  const columns = ['benchmark', 'measure', 'platform', 'baseline', 'ratio', 'target', 'met'] as const;
  const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => String(row[column]).length)));
  const line = (values: string[]) => `| ${values.map((value, index) => value.padEnd(widths[index]!)).join(' | ')} |`;
  console.log(line([...columns]));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const row of rows) console.log(line(columns.map((column) => String(row[column]))));
}

export function writeResults(directory: string, results: Record<string, unknown>): string {
  mkdirSync(directory, { recursive: true });
  const file = `${directory}/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

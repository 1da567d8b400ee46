/**
 * Mistakes on the command line get a "did you mean", and `--help` reads as a table: every
 * description starts at the same column.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { HELP } from '../../src/cli/help';
import { SHARED_FLAG_LIST } from '../../src/cli/flags';
import { closest, editDistance } from '../../src/cli/suggest';
import { recordedStream } from './streams';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = recordedStream(false);
  const stderr = recordedStream(false);
  const code = await main(argv, {}, { stdout, stderr });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('did you mean', () => {
  it.each([
    [['wacth', 'mysql'], 'unknown command "wacth": did you mean "watch"? (commands: watch, doctor, demo; see --help)'],
    [['docter'], 'unknown command "docter": did you mean "doctor"?'],
    [['dmeo'], 'unknown command "dmeo": did you mean "demo"?'],
    [['watch', 'mysql', '--namspace', 'db'], "unknown option '--namspace': did you mean '--namespace'? (see --help)"],
    [['doctor', 'mysql', '--timout', '100'], "unknown option '--timout': did you mean '--timeout'?"],
    [['demo', '--atempts', '1'], "unknown option '--atempts': did you mean '--attempts'?"],
  ])('%j: %s', async (argv, message) => {
    const result = await run(argv);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('suggests nothing for a word that is no typo of a command', async () => {
    const result = await run(['frobnicate']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('headless-discovery: unknown command "frobnicate" (commands: watch, doctor, demo; see --help)\n');
  });

  it('counts a swap of two letters as one edit, and stays within the typo tolerance', () => {
    expect(editDistance('wacth', 'watch')).toBe(1);
    expect(editDistance('watch', 'watch')).toBe(0);
    expect(editDistance('', 'demo')).toBe(4);
    expect(closest('wach', ['watch', 'doctor', 'demo'])).toBe('watch');
    expect(closest('dem', ['watch', 'doctor', 'demo'])).toBe('demo');
    expect(closest('top', ['watch', 'doctor', 'demo'])).toBeUndefined();
  });
});

/**
 * The column at which a row's description starts: after the flag cell (`-n, --namespace <ns>`,
 * `    --json`; placeholders hold no space) and its padding, or after the indent of a row with
 * no flag (the variable's).
 */
function descriptionColumn(row: string): number {
  const flagged = /^( {2}(?:-\S, | {4})--\S+(?: \S+)?)( {2,})\S/.exec(row);
  if (flagged) return (flagged[1] as string).length + (flagged[2] as string).length;
  return row.length - row.trimStart().length;
}

describe('--help', () => {
  it.each(['watch', 'doctor', 'demo'] as const)('of %s: every option row and every variable row start their text at the same column', (command) => {
    const lines = HELP[command].split('\n');
    const start = lines.findIndex((line) => line.startsWith('Options'));
    const end = lines.indexOf('', start);
    const rows = lines.slice(start + 1, end === -1 ? undefined : end);
    expect(rows.length).toBeGreaterThanOrEqual(command === 'demo' ? 5 : 30);

    const columns = rows.map(descriptionColumn);

    expect(new Set(columns).size, rows.join('\n')).toBe(1);
    expect(columns[0]).toBeGreaterThan(20);
    expect(rows.every((row) => row.startsWith('  '))).toBe(true);
    for (const flag of SHARED_FLAG_LIST.filter((entry) => entry.env !== undefined && HELP[command].includes(`--${entry.name} `))) {
      const at = rows.findIndex((row) => row.includes(`--${flag.name} `) || row.endsWith(`--${flag.name}`));
      expect(rows[at + 1]?.trim(), flag.name).toBe(`env: ${flag.env as string}`);
    }
  });

  it('lists --timeout and --attempts with their variables and defaults', () => {
    expect(HELP.doctor).toMatch(/--timeout <ms> +how long each DNS query waits for its answer \(default: resolv\.conf options timeout:, else 5000\)\n +env: HEADLESS_DISCOVERY_DNS_TIMEOUT_MS\n/);
    expect(HELP.watch).toMatch(/--attempts <n> +rounds over the nameservers per lookup \(default: resolv\.conf options attempts:, else 2\)\n +env: HEADLESS_DISCOVERY_DNS_ATTEMPTS\n/);
    expect(HELP.demo).toMatch(/--timeout <ms> +.*\(default: 300\)/);
  });

  it('of the command: the usage rows start their descriptions at the same column', () => {
    const rows = HELP.main.split('\n').filter((line) => /^ {2}headless-discovery (watch|doctor|demo) /.test(line));
    expect(rows).toHaveLength(3);
    const columns = rows.map((row) => (/^ {2}headless-discovery \S+(?: <service>)? \[options\] +/.exec(row)?.[0] ?? '').length);
    expect(new Set(columns).size, rows.join('\n')).toBe(1);
  });
});

/**
 * The `--help` texts, with examples. The option rows are generated from the flag table, in
 * columns as wide as their longest entry, so every description starts at the same offset.
 *
 * @module
 */
import { DEMO_DNS_TIMING } from './demo';
import { DEMO_FLAG_LIST, SHARED_FLAG_LIST, type Flag } from './flags';

/** Rows of two columns: the left cells padded to the longest one, then two spaces. */
export function columns(rows: ReadonlyArray<readonly [left: string, right: string]>, indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${right === '' ? left : `${left.padEnd(width)}  ${right}`}`);
}

/** `-n, --namespace <ns>`, or `    --protocol <tcp|udp|sctp>` (long flags line up after the short ones). */
function flagCell(entry: Flag): string {
  return `${entry.short === undefined ? '    ' : `-${entry.short}, `}--${entry.name}${entry.value === undefined ? '' : ` ${entry.value}`}`;
}

/** Each flag on a row with its meaning and default; its variable on the row below, in the same column. */
function optionRows(flags: readonly Flag[], defaults: Readonly<Record<string, string>> = {}): string {
  const rows = flags.flatMap((entry): Array<[string, string]> => {
    const stated = defaults[entry.name] ?? entry.default;
    const meaning = `${entry.meaning}${stated === undefined ? '' : ` (default: ${stated})`}`;
    return [[flagCell(entry), meaning], ...(entry.env === undefined ? [] : [['', `env: ${entry.env}`] as [string, string]])];
  });
  return ['Options (each also from the environment variable below it; flags win):', ...columns(rows)].join('\n');
}

const MAIN_USAGE = columns([
  ['headless-discovery watch <service> [options]', 'live membership (table on a terminal, NDJSON otherwise)'],
  ['headless-discovery doctor <service> [options]', 'check DNS, SRV, per-pod names, readiness and ordinals'],
  ['headless-discovery demo [options]', 'a scripted demo against a fake cluster DNS on loopback'],
  ['headless-discovery --version | --help', ''],
  ['headless-discovery <command> --help', ''],
]).join('\n');

/** Help of each command, and of the command itself. */
export const HELP = {
  main: `headless-discovery: see and diagnose the peers behind a Kubernetes headless Service.

Usage:
${MAIN_USAGE}

Exit codes: 0 ok, 1 a check failed (doctor), 2 usage error.`,
  watch: `Usage: headless-discovery watch <service> [options]

Polls the Service's DNS (or, with --source kubernetes, watches its EndpointSlices through the
Kubernetes API) and shows the peers as the library sees them: ordinal, name, addresses, port,
ready / not ready / draining, node and zone (from the API), sources, ★ the seed, › this pod,
when the last poll ended, whether one is in flight and when the next is due, and a line per
event (join, leave, update, replace, ready, unready, draining, seed, stale, fresh, source,
error) with a timestamp and the stale/complete state. With no peers, it shows what the last
poll asked and what DNS answered, then the library's diagnosis.
With --json, or when stdout is not a terminal, prints one JSON object per event (NDJSON).
--kubeconfig and --context need kubernetes in --source (they are not a reason to add it).
Ctrl-C exits (code 0).

${optionRows(SHARED_FLAG_LIST)}

Examples:
  headless-discovery watch mysql --port mysql
  headless-discovery watch mysql -n prod --port 3306 --readiness tcp
  headless-discovery watch mysql --port mysql --json | jq -c 'select(.event == "leave")'
  headless-discovery watch mysql -n prod --port mysql --source kubernetes --context prod
  HEADLESS_DISCOVERY_SERVICE=mysql HEADLESS_DISCOVERY_PORT=mysql headless-discovery watch`,
  doctor: `Usage: headless-discovery doctor <service> [options]

Runs, in order, the checks an experienced engineer would run and prints each as soon as it
completes, as PASS, WARN, FAIL or SKIP (did not run, or does not apply here) with the evidence
and the fix: resolv.conf (first: it needs no DNS), the Service name, the SRV record, per-pod
names, PTR records, UDP truncation, TTLs, this pod in its own Service, ordinals and the seed.
With Kubernetes credentials (--kubeconfig, --context, KUBECONFIG, a pod's service account or
~/.kube/config), it also checks the Service, its pods and its EndpointSlices through the API;
--kubeconfig and --context need no --source here.
On a terminal, a progress line on stderr names the check that is waiting and for how long.
Exit code 0 when nothing failed, 1 when a check failed, 2 for usage errors.

${optionRows(SHARED_FLAG_LIST)}

Examples:
  headless-discovery doctor mysql --port mysql
  headless-discovery doctor mysql --port mysql --timeout 1000 --attempts 1
  headless-discovery doctor mysql -n prod --port mysql --json
  headless-discovery doctor mysql -n prod --port mysql --kubeconfig ~/.kube/config --context prod`,
  demo: `Usage: headless-discovery demo [options]

Starts a fake cluster DNS on loopback (a "mysql" StatefulSet behind a headless Service) and a
discovery, then scales 0 → 3 → 5 → 2, restarts a pod with a new IP and takes the DNS down for a
moment, printing every event. Sends no traffic outside loopback. Ends by itself.

${optionRows(DEMO_FLAG_LIST, { timeout: String(DEMO_DNS_TIMING.dnsTimeoutMs), attempts: String(DEMO_DNS_TIMING.dnsAttempts) })}`,
} as const;

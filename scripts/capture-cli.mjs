// Writes docs/cli.md's example sessions by running the real `headless-discovery` command against
// a fake cluster DNS on loopback (`npm run docs:cli`). With --check it only compares and exits 1
// when the page is out of date (the test suite runs it that way). Ports, times and temp paths
// are normalized so the page does not change from run to run. The `watch` screen is captured
// from the command run with a stdout that says it is a terminal.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { createFakeCluster } from 'headless-discovery/testing';

const root = resolve(import.meta.dirname, '..');
const page = join(root, 'docs', 'cli.md');
const bin = join(root, 'dist', 'cli.js');
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'headless-discovery-cli-'));
const resolvConf = join(scratch, 'resolv.conf');
writeFileSync(resolvConf, 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');
const podEnv = { PATH: process.env.PATH ?? '', POD_NAME: 'mysql-1', POD_NAMESPACE: 'default', HEADLESS_DISCOVERY_RESOLV_CONF: resolvConf };

const DEMO_START = '<!-- the demo session below changes with timing; --check leaves it out -->';
const cluster = await createFakeCluster();
const normalize = (text) =>
  text
    .replaceAll(cluster.nameserver, '10.96.0.10:53')
    .replaceAll(`@${cluster.host} -p ${cluster.port}`, '@10.96.0.10')
    .replaceAll(resolvConf, '/etc/resolv.conf')
    .replace(/\/\S*?headless-discovery-kube-[^/\s]+\/kubeconfig/g, '~/.kube/config')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '2026-11-25T10:00:00.000Z')
    .replace(/(messages? in )\d+ ms/g, '$13 ms');

async function doctor(args) {
  try {
    const { stdout } = await run(process.execPath, [bin, 'doctor', ...args, '--nameserver', cluster.nameserver], { env: podEnv });
    return { code: 0, stdout };
  } catch (error) {
    return { code: error.code, stdout: error.stdout };
  }
}

async function watchSession(args, steps, env = podEnv) {
  const child = spawn(process.execPath, [bin, 'watch', ...args, '--nameserver', cluster.nameserver, '--json'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const waiter of [...waiting]) if (waiter.test(JSON.parse(line))) waiting.splice(waiting.indexOf(waiter), 1) && waiter.resolve();
  });
  const until = (test) => new Promise((resolve) => (lines.some((line) => test(JSON.parse(line))) ? resolve() : waiting.push({ test, resolve })));
  for (const step of steps) await step(until);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGINT');
  const code = await exited;
  return { code, stdout: `${lines.join('\n')}\n` };
}

// The terminal screen of `watch`, as a terminal would show it once a frame holds the text
// CAPTURE_UNTIL (default: the library's diagnosis): the command runs in a child process whose
// stdout pretends to be a terminal, and the frame is printed without its cursor movements.
// The poll times are normalized.
const SCREEN = `
const { main } = require(${JSON.stringify(bin)});
const until = process.env.CAPTURE_UNTIL ?? '\\ndiagnosis: ';
let stop;
let shown = false;
const stopped = new Promise((resolve) => (stop = resolve));
const stdout = {
  isTTY: true,
  columns: 100,
  write(frame) {
    if (shown || !frame.includes(until)) return true;
    shown = true;
    process.stdout.write(frame.replace(/\\x1b\\[[HJK]/g, ''));
    stop();
    return true;
  },
};
main(process.argv.slice(1), process.env, { stdout, stderr: process.stderr, stopped: () => stopped }).then((code) => (process.exitCode = code));
`;

async function watchScreen(args, until) {
  const env = { ...podEnv, POD_NAME: 'vm', ...(until === undefined ? {} : { CAPTURE_UNTIL: until }) };
  const { stdout } = await run(process.execPath, ['-e', SCREEN, 'watch', ...args, '--nameserver', cluster.nameserver], { env });
  const polls = (line) =>
    line
      .replace(/ended \d+(?:\.\d)? s ago/, 'ended 0.1 s ago')
      .replace(/next (in \d+(?:\.\d)? s|due now)/, 'next in 0.9 s')
      .replace(/\d\d:\d\d:\d\d\.\d{3}Z/g, '10:00:00.000Z');
  return { stdout: stdout.replace(/^polls: .*$/m, polls) };
}

try {
  const mysql = cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 });
  const healthy = await doctor(['mysql', '--port', 'mysql']);
  const typo = await doctor(['mysqll', '--port', 'mysql']);
  const screen = await watchScreen(['mysql', '--port', 'sql', '--interval', '1000']);
  const empty = await watchSession(['mysqll', '--port', 'mysql', '--interval', '200'], [(until) => until((record) => record.event === 'error' && record.code === 'ERR_SERVICE_NOT_FOUND')], {
    ...podEnv,
    POD_NAME: 'vm',
  });
  const watched = await watchSession(['mysql', '--port', 'mysql', '--interval', '200'], [
    (until) => until((record) => record.event === 'snapshot'),
    async (until) => {
      mysql.scale(4);
      await until((record) => record.event === 'join' && record.peer.name === 'mysql-3');
    },
    async (until) => {
      mysql.scale(2);
      await until((record) => record.event === 'leave' && record.peer.name === 'mysql-3');
    },
  ]);
  cluster.deleteService('mysql');
  cluster.defineService({ name: 'mysql', ports: [{ port: 3306 }], replicas: 3 });
  const unnamed = await doctor(['mysql', '--port', 'mysql']);
  // From a laptop, through the Kubernetes API (its kubeconfig in a temp file): one pod not
  // ready, one terminating, as DNS cannot tell them.
  cluster.deleteService('mysql');
  cluster.defineService({ name: 'mysql', ports: [{ name: 'mysql', port: 3306 }], replicas: 3 }).setReady('mysql-2', false).terminate('mysql-1');
  const api = await cluster.startKubernetesApi();
  const kubeconfig = await api.writeKubeconfig();
  const fromApi = await watchScreen(['mysql', '--port', 'mysql', '--source', 'kubernetes,srv', '--kubeconfig', kubeconfig, '--interval', '1000'], '  snapshot ');

  const demo = await run(process.execPath, [bin, 'demo'], { env: { PATH: process.env.PATH ?? '' } }).then(({ stdout }) => ({ code: 0, stdout }));
  // A session with its exit code, or (a screen, still running) without.
  const session = (command, result) =>
    `\`\`\`console\n$ ${command}\n${normalize(result.stdout).trimEnd()}\n${result.code === undefined ? '' : `$ echo $?\n${result.code}\n`}\`\`\``;
  const generated = `<!-- generated by scripts/capture-cli.mjs (npm run docs:cli): do not edit by hand -->

## Example sessions

Captured by running the command against a fake cluster DNS serving a 3-pod \`mysql\` StatefulSet
(addresses, ports and times normalized).

A healthy Service:

<!-- not run: captured output of the command -->
${session('headless-discovery doctor mysql --port mysql', healthy)}

A typo in the service name: the Service name check fails with the fix, and the checks that
need its addresses are skipped (counted apart, not as warnings):

<!-- not run: captured output of the command -->
${session('headless-discovery doctor mysqll --port mysql', typo)}

The Service's port has no name, so there is no SRV record for \`--port mysql\`:

<!-- not run: captured output of the command -->
${session('headless-discovery doctor mysql --port mysql', unnamed)}

\`watch\` on a terminal with a port name the Service does not have, once the library's diagnosis
has arrived (outside a StatefulSet pod, from a laptop):

<!-- not run: captured output of the command -->
${session('headless-discovery watch mysql --port sql --interval 1000', screen)}

\`watch\` on a terminal from a laptop, through the Kubernetes API with DNS as the fallback, while
\`mysql-2\` is not ready and \`mysql-1\` is terminating (\`kubectl delete pod\`): DNS lists neither,
the API says which is which, and where each pod runs:

<!-- not run: captured output of the command -->
${session('headless-discovery watch mysql --port mysql --source kubernetes,srv --kubeconfig ~/.kube/config --interval 1000', fromApi)}

\`watch\` as NDJSON with a typo in the service name, then Ctrl-C: the snapshot says what the first
poll asked (\`lookups\`), and the library's diagnosis follows as an \`error\` record:

<!-- not run: captured output of the command -->
${session('headless-discovery watch mysqll --port mysql --interval 200 --json', empty)}

\`watch\` as NDJSON while the StatefulSet scales 3 → 4 → 2, then Ctrl-C:

<!-- not run: captured output of the command -->
${session('headless-discovery watch mysql --port mysql --interval 200 --json', watched)}

${DEMO_START}
\`demo\` (timings vary from run to run, and so does the number of failed polls during the outage):

<!-- not run: captured output of the command -->
${session('headless-discovery demo', demo)}
`;
  const current = readFileSync(page, 'utf8');
  const marker = current.indexOf('<!-- generated by scripts/capture-cli.mjs');
  const next = `${(marker === -1 ? current : current.slice(0, marker)).trimEnd()}\n\n${generated}`;
  if (process.argv.includes('--check')) {
    const stable = (text) => text.slice(0, text.indexOf(DEMO_START) === -1 ? undefined : text.indexOf(DEMO_START));
    if (stable(next) !== stable(current)) {
      console.error('docs/cli.md is out of date: run npm run docs:cli');
      process.exitCode = 1;
    }
  } else {
    writeFileSync(page, next);
  }
} finally {
  await cluster.close();
  rmSync(scratch, { recursive: true, force: true });
}

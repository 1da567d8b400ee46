// Install the Debian packages the tests need, if they are missing, so a fresh machine (or CI)
// needs no manual step: `node scripts/ensure-system-packages.mjs bind9 [more…]`.
//
// - Fast when everything is there: one `dpkg-query` for all packages, no root needed, no apt.
// - Otherwise, as root: `apt-get update` once, then one `apt-get install` of what is missing.
// - The packages' services must not start: the tests run their own servers on loopback, and a
//   system `named` on port 53 (or a `mariadbd` on 3306) would outlive the install and get in the
//   way. A temporary /usr/sbin/policy-rc.d that exits 101 makes invoke-rc.d and
//   deb-systemd-invoke refuse to start anything; a policy-rc.d that was already there is put
//   back afterwards, even when the install fails or is interrupted. As a second line of defence,
//   processes that run one of the installed packages' programs and appeared during the install
//   are stopped: only those, so servers that tests or anyone else started are left alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const POLICY = '/usr/sbin/policy-rc.d';
const POLICY_BACKUP = `${POLICY}.ensure-system-packages`;
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'l' };
// Wait for a dpkg lock held by another apt run rather than failing at once.
const APT_LOCK = ['-o', 'DPkg::Lock::Timeout=300'];

function fail(message) {
  console.error(`ensure-system-packages: ${message}`);
  process.exit(1);
}

/** The subset of `packages` that dpkg does not report as installed. */
function missingPackages(packages) {
  // dpkg-query exits 1 when a package is unknown, but still prints the ones it knows.
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package}\t${Status}\n', ...packages], { encoding: 'utf8' });
  if (result.error) fail(`cannot run dpkg-query (${result.error.message}): is this a Debian-based machine?`);
  const installed = new Set();
  for (const line of result.stdout.split('\n')) {
    const [name, status] = line.split('\t');
    // `Package` may carry an architecture suffix (libfoo:amd64).
    if (status?.trim() === 'install ok installed') installed.add(name.split(':')[0]);
  }
  return packages.filter((name) => !installed.has(name));
}

function apt(args) {
  const result = spawnSync('apt-get', [...APT_LOCK, ...args], { env: APT_ENV, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.error) fail(`cannot run apt-get: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
    fail(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal}):\n${tail}`);
  }
}

/** pid → argv of every process, read from /proc. */
function processes() {
  const found = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      let exe = '';
      try {
        exe = readlinkSync(`/proc/${entry}/exe`);
      } catch {
        // A process of another user, or a kernel thread: only its argv counts.
      }
      // The parent pid is the 4th field of stat, after the command name in parentheses.
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      found.set(Number(entry), { argv, exe, ppid });
    } catch {
      // It exited while we were looking.
    }
  }
  return found;
}

/** The programs (`/usr/sbin/named`, `/usr/bin/mysqld_safe`, …) the packages installed. */
function programsOf(packages) {
  const output = execFileSync('dpkg-query', ['-L', ...packages], { encoding: 'utf8' });
  return new Set(output.split('\n').filter((path) => /^\/(usr\/)?s?bin\/[^/]+$/.test(path)).map((path) => basename(path)));
}

/** Stop the processes started during the install that run one of the new programs. */
function stopStartedServices(before, packages) {
  const programs = programsOf(packages);
  const runs = ({ argv, exe }) =>
    programs.has(basename(exe)) || programs.has(basename(argv[0] ?? '')) || programs.has(basename(argv[1] ?? ''));
  // A daemon started by a maintainer script has been re-parented (its dpkg parent is gone); a
  // server whose parent was already running (a test runner, say) was started by someone else.
  const ours = ({ ppid }) => ppid <= 1 || !before.has(ppid);
  const started = [...processes()].filter(([pid, info]) => !before.has(pid) && pid !== process.pid && runs(info) && ours(info));
  for (const [pid, { argv }] of started) {
    console.log(`  stopping ${argv.join(' ')} (pid ${pid}), started by the package's install scripts`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 10_000;
  for (const [pid] of started) {
    while (existsSync(`/proc/${pid}`) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
    if (existsSync(`/proc/${pid}`)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited in between.
      }
    }
  }
}

/** Put a policy-rc.d in place that forbids starting services; returns the function that undoes it. */
function forbidServiceStarts() {
  const hadPolicy = existsSync(POLICY);
  if (hadPolicy) renameSync(POLICY, POLICY_BACKUP);
  writeFileSync(POLICY, '#!/bin/sh\n# Written by ensure-system-packages.mjs for the duration of an install.\nexit 101\n', { mode: 0o755 });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    rmSync(POLICY, { force: true });
    if (hadPolicy) renameSync(POLICY_BACKUP, POLICY);
  };
  process.on('exit', restore);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      restore();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
  return restore;
}

const packages = [...new Set(process.argv.slice(2))];
if (packages.length === 0 || packages.some((name) => !/^[a-z0-9][a-z0-9+.-]+$/.test(name))) {
  fail('usage: node scripts/ensure-system-packages.mjs <debian-package>…');
}

const missing = missingPackages(packages);
for (const name of packages) if (!missing.includes(name)) console.log(`${name}: already installed`);

if (missing.length > 0) {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    fail(`${missing.join(', ')} missing, and installing needs root: run as root, or sudo apt-get install ${missing.join(' ')}`);
  }
  if (existsSync(POLICY_BACKUP)) {
    // A previous run was killed with SIGKILL between the rename and the restore.
    rmSync(POLICY, { force: true });
    renameSync(POLICY_BACKUP, POLICY);
  }
  const started = Date.now();
  const before = processes();
  const restore = forbidServiceStarts();
  try {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  } finally {
    restore();
  }
  stopStartedServices(before, missing);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const still = missingPackages(missing);
  if (still.length > 0) fail(`apt-get succeeded but ${still.join(', ')} still not installed`);
  for (const name of missing) console.log(`${name}: installed in ${seconds} s`);
}

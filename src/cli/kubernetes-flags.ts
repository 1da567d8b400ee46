/**
 * What the command checks about `--kubeconfig` and `--context` before the library sees them,
 * so that neither is ignored nor implies anything silently:
 *
 * - for `watch`, they configure the `kubernetes` source, so `--source` must list it: without it
 *   they would do nothing, and adding the source behind the user's back would change where the
 *   peers come from. A usage error says what to add. (`doctor` takes them without the source:
 *   there they are the credentials of its Kubernetes API checks.)
 * - the kubeconfig must be a file this process can read: a mistyped path is a usage error now,
 *   not a failing first poll (or, with `--source kubernetes,srv`, a quiet fallback to DNS).
 *
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { DiscoveryOptions } from '../index';
import { readFlag, UsageError, type SharedValues } from './args';
import { flag } from './flags';

type Env = Readonly<Record<string, string | undefined>>;

/** Which command the flags are for: only `watch` needs the `kubernetes` source for them. */
export type KubernetesFlagsCommand = 'watch' | 'doctor';

/** Throw a {@link UsageError} when `--kubeconfig` / `--context` cannot be used as given. */
export function checkKubernetesFlags(command: KubernetesFlagsCommand, options: DiscoveryOptions, values: SharedValues, env: Env): void {
  const kubeconfig = readFlag(values, env, flag('kubeconfig'));
  const context = readFlag(values, env, flag('context'));
  const given = kubeconfig ?? context;
  if (given === undefined) return;
  if (command === 'watch' && !(options.sources ?? []).includes('kubernetes')) {
    const source = readFlag(values, env, flag('source'));
    const listed = source === undefined ? '--source is not set (the default sources are DNS only)' : `${source.from} does not list it (got "${source.text}")`;
    throw new UsageError(
      `${given.from} is for the kubernetes source, but ${listed}; expected --source kubernetes,srv (the API, and DNS when the API fails) or --source kubernetes as well`,
    );
  }
  if (kubeconfig !== undefined) checkReadable(kubeconfig.text, kubeconfig.from);
}

/** The kubeconfig is a file this process may read. */
function checkReadable(path: string, from: string): void {
  let problem: string | undefined;
  try {
    if (!statSync(path).isFile()) problem = 'not a file';
    else accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problem = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
  }
  if (problem !== undefined) throw new UsageError(`${from}: cannot read ${JSON.stringify(path)} (${problem}); expected a kubeconfig file, e.g. ~/.kube/config`);
}

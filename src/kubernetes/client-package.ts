/**
 * `@kubernetes/client-node`, the optional peer dependency that reads kubeconfig files (contexts,
 * client certificates, exec credential plugins, auth providers, proxies). It is looked for
 * synchronously at construction, so a missing package fails there with the install command, and
 * loaded with a real dynamic `import()` only when a kubeconfig is used: a DNS-only user, or a pod
 * using its service account, loads nothing more.
 *
 * @module
 */
import { readFileSync } from 'node:fs';

/** The package's name. */
export const CLIENT_PACKAGE = '@kubernetes/client-node';

/** The peer range this library is tested with (package.json `peerDependencies`). */
export const CLIENT_PACKAGE_RANGE = '^1.0.0 || ^2.0.0';

/** What to run to install it: 1.x loads on every Node line this library supports. */
export const CLIENT_INSTALL_COMMAND = `npm install ${CLIENT_PACKAGE}@^1.4.0`;

/** 2.x depends on undici 8, which needs Node 22.19: on older Node its import fails (and throws an uncaught error besides). */
const MAJOR_2_NODE = [22, 19] as const;

/** The part of `@kubernetes/client-node` this library uses. */
export interface ClientPackage {
  readonly KubeConfig: new () => KubeConfigLike;
}

/** The members of `KubeConfig` used here (stable from 1.0 to 2.x). */
export interface KubeConfigLike {
  clusters: readonly KubeconfigCluster[];
  users: readonly KubeconfigUser[];
  contexts: readonly KubeconfigContext[];
  currentContext: string;
  loadFromString(text: string): void;
  loadFromOptions(options: {
    clusters: readonly KubeconfigCluster[];
    users: readonly KubeconfigUser[];
    contexts: readonly KubeconfigContext[];
    currentContext: string | undefined;
  }): void;
  makePathsAbsolute(rootDirectory: string): void;
  getContextObject(name: string): KubeconfigContext | null;
  setCurrentContext(name: string): void;
  getCurrentCluster(): KubeconfigCluster | null;
  getCurrentUser(): KubeconfigUser | null;
  applyToHTTPSOptions(options: object): Promise<void>;
}

/** A kubeconfig cluster, as the package reads it. */
export interface KubeconfigCluster {
  readonly name: string;
  readonly server: string;
  readonly skipTLSVerify: boolean;
}

/** A kubeconfig user, as the package reads it. */
export interface KubeconfigUser {
  readonly name: string;
}

/** A kubeconfig context, as the package reads it. */
export interface KubeconfigContext {
  readonly name: string;
  readonly cluster: string;
  readonly user: string;
}

/** Whether the package can be used here, and if not, why (a clause about the package: "it is not installed; …"). */
export type ClientPackageCheck =
  | { readonly usable: true; readonly version: string | null }
  | { readonly usable: false; readonly reason: string };

/**
 * Look for the package synchronously, from this file's location as `import()` would, without
 * loading it. Reads its `package.json` for the version: 2.x does not load before Node 22.19.
 */
export function checkClientPackage(nodeVersion: string = process.versions.node, locate: (request: string) => string = resolveFromHere): ClientPackageCheck {
  let manifest: string;
  try {
    manifest = locate(`${CLIENT_PACKAGE}/package.json`);
  } catch (error) {
    // A package whose `exports` hides package.json is installed all the same.
    if ((error as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return { usable: true, version: null };
    return { usable: false, reason: `it is not installed; install it: ${CLIENT_INSTALL_COMMAND}` };
  }
  const version = readVersion(manifest);
  const major = version === null ? Number.NaN : Number(version.split('.')[0]);
  if (major >= 2 && isOlderThan(nodeVersion, MAJOR_2_NODE)) {
    return {
      usable: false,
      reason: `version ${version} needs Node ${MAJOR_2_NODE.join('.')} or later (this is Node ${nodeVersion}); install 1.x instead: ${CLIENT_INSTALL_COMMAND}`,
    };
  }
  return { usable: true, version };
}

/**
 * Resolve as this file's own `import()` would. `require` is CommonJS's own in the CJS build, the
 * one tsup.config.ts defines (with createRequire) in the ESM build, and vitest's in tests.
 */
function resolveFromHere(request: string): string {
  return require.resolve(request);
}

function readVersion(manifestPath: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : null;
  } catch {
    return null;
  }
}

function isOlderThan(version: string, [major, minor]: readonly [number, number]): boolean {
  const [givenMajor = 0, givenMinor = 0] = version.split('.').map(Number);
  return givenMajor < major || (givenMajor === major && givenMinor < minor);
}

let loading: Promise<ClientPackage> | undefined;

/**
 * Load the package (once per process). A real dynamic `import()` in both builds: the package is
 * an ES module, and tsup keeps `import()` as it is for a Node 20 target.
 */
export function loadClientPackage(): Promise<ClientPackage> {
  loading ??= import('@kubernetes/client-node').then(
    (module: unknown) => module as ClientPackage,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * What `diagnose()` returns: one finding per check, each saying what was checked, what was
 * seen and what to do. These are the types the `doctor` command prints and turns into an exit
 * code.
 *
 * @module
 */
import type { EnvironmentSources } from '../config/options';

/**
 * How a check came out: `pass` (as expected), `warn` (works, but worth knowing), `fail`
 * (discovery will not find the peers it should) or `skip` (the check did not run: an earlier one
 * failed, there was nothing to measure, or it does not apply here, such as "this pod is listed"
 * for a process that is not a StatefulSet pod). A check that did not apply is never a `pass`.
 */
export type FindingStatus = 'pass' | 'warn' | 'fail' | 'skip';

/**
 * The stable identifier of a check, in the order the checks run:
 *
 * - `resolv-conf`: nameservers, search list, ndots, cluster domain and namespace, with their origin;
 * - `service-name`: A/AAAA of `<service>.<namespace>.svc.<zone>.`;
 * - `srv`: SRV of `_<port>._<protocol>.<service>…` (named ports only);
 * - `pod-names`: each SRV target (or PTR name) resolves, to the addresses the SRV glue gave;
 * - `ptr`: each address maps back to its pod's name;
 * - `truncation`: whether answers needed TCP, and whether TCP worked;
 * - `ttl`: positive and negative TTLs, i.e. how late changes show;
 * - `self`: this pod is listed (StatefulSet pods only);
 * - `ordinals`: ordinals are contiguous from `ordinalStart` and the seed is listed;
 *
 * and, when Kubernetes credentials are available (the `kubernetes` option's kubeconfig,
 * `KUBECONFIG`, the pod's service account, `~/.kube/config`: the `kubernetes` source's search),
 * the Kubernetes API checks (else each is a `skip` saying why):
 *
 * - `api-service`: the Service exists, is headless (`clusterIP: None`) and has the named port;
 * - `api-pods`: its selector matches pods, and whether they are the StatefulSet's;
 * - `api-endpointslices`: its EndpointSlices, and how many endpoints are ready, not ready, terminating;
 * - `api-vs-dns`: DNS lists the ready endpoints of the slices, no more and no fewer.
 */
export type CheckId =
  | 'resolv-conf'
  | 'service-name'
  | 'srv'
  | 'pod-names'
  | 'ptr'
  | 'truncation'
  | 'ttl'
  | 'self'
  | 'ordinals'
  | 'api-service'
  | 'api-pods'
  | 'api-endpointslices'
  | 'api-vs-dns';

/** The checks in the order they run (and their findings appear). */
export const CHECK_IDS: readonly CheckId[] = Object.freeze([
  'resolv-conf',
  'service-name',
  'srv',
  'pod-names',
  'ptr',
  'truncation',
  'ttl',
  'self',
  'ordinals',
  'api-service',
  'api-pods',
  'api-endpointslices',
  'api-vs-dns',
] as const);

/** The outcome of one check. */
export interface Finding {
  /** Which check this is. Stable: match on it, not on the title. */
  readonly check: CheckId;
  /** One line saying what was checked, e.g. `Service name mysql.default.svc.cluster.local. resolves`. */
  readonly title: string;
  /** `pass`, `warn` (worth knowing, not an error), `fail` (makes `doctor` exit 1) or `skip` (did not run; see {@link FindingStatus}). */
  readonly status: FindingStatus;
  /**
   * What was seen, one fact per line: the query and the server asked, the RCODE, the records,
   * the TTLs, where a setting came from. A skipped check has one line, `skipped: <reason>`.
   */
  readonly evidence: readonly string[];
  /**
   * What to do, one step per line, naming the commands that confirm or fix it (`kubectl …`,
   * `dig …`). Empty when the check passed or was skipped.
   */
  readonly fix: readonly string[];
}

/** Everything `diagnose()` found out about one headless Service. */
export interface Diagnosis {
  /** The Service's DNS name, `<service>.<namespace>.svc.<zone>` (no trailing dot). */
  readonly service: string;
  /** One finding per check that applies, in the order of {@link CHECK_IDS}. */
  readonly findings: readonly Finding[];
  /** True when no finding is `fail`. */
  readonly ok: boolean;
}

/** What a running diagnosis waits for, as {@link DiagnoseExtra.onProgress} reports it. */
export interface DiagnosisProgress {
  /** The check that runs now. */
  readonly check: CheckId;
  /**
   * The lookups it waits for, as `<type> <absolute name>` (e.g.
   * `A mysql.default.svc.cluster.local.`), in the order they were asked, or the Kubernetes API
   * request (`GET /api/v1/namespaces/default/services/mysql`); empty while the check waits for
   * neither.
   */
  readonly waitingFor: readonly string[];
}

/** Extra inputs of `diagnose()` that are not discovery options. */
export interface DiagnoseExtra {
  /** Aborting it stops the diagnosis: `diagnose` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Where the pod environment (variables, resolv.conf, namespace file, hostname) is read from.
   * Default: `options.environment`, else the real process environment and files. Meant for tests.
   */
  readonly environment?: EnvironmentSources;
  /**
   * Called with each finding as soon as its check completes, in the order of {@link CHECK_IDS}
   * (`resolv-conf` first: it needs no DNS, so it arrives before any answer does), so a slow or
   * silent DNS does not hold back what is already known. `soFar` is the diagnosis up to and
   * including `finding`. The promise `diagnose()` returns still resolves with every finding; an
   * exception thrown here rejects it.
   */
  readonly onFinding?: (finding: Finding, soFar: Diagnosis) => void;
  /**
   * Called when a check starts and whenever the set of lookups it waits for changes, to show
   * what a diagnosis is waiting for (the `doctor` command's progress line). An exception thrown
   * here rejects `diagnose()`.
   */
  readonly onProgress?: (progress: DiagnosisProgress) => void;
}

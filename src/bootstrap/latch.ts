/**
 * The formed latch's record and file format: what a pod writes on its own volume once it has
 * been a member of a cluster, so that it never initializes another one. Pure: reading and
 * writing the file atomically is `runtime/formed-latch.ts`.
 *
 * The file is one line of JSON, `{"kind":"headless-discovery/formed-latch","version":1,
 * "clusterId":"c-1","podName":"kv-0","writtenAt":"2026-12-01T12:00:00.000Z"}`. Anything else at
 * that path (empty, truncated, another kind, a later version) is an `ERR_LATCH_INVALID`, never
 * "no latch".
 *
 * @module
 */
import { LatchError } from '../errors';

/** The `kind` every latch file carries. */
export const LATCH_KIND = 'headless-discovery/formed-latch';

/** The format version this library writes and reads. */
export const LATCH_VERSION = 1;

/** The longest cluster id a latch holds (a DNS name's length: ids are often names or UUIDs). */
export const MAX_CLUSTER_ID_LENGTH = 253;

/** What a formed latch records: this pod has been a member of cluster `clusterId`. */
export interface LatchRecord {
  /** The cluster this pod has been a member of; it never initializes another one. */
  readonly clusterId: string;
  /** The pod that wrote the latch, when it was known (a volume moved to another pod keeps the writer's name). */
  readonly podName: string | null;
  /** When the latch was written, as an ISO 8601 UTC time. */
  readonly writtenAt: string;
}

/** Why `value` is not a usable cluster id, or `undefined` when it is one. */
export function clusterIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected a string, got ${value === null ? 'null' : typeof value}`;
  if (value.length === 0) return 'expected a non-empty string';
  if (value.length > MAX_CLUSTER_ID_LENGTH) return `expected at most ${MAX_CLUSTER_ID_LENGTH} characters, got ${value.length}`;
  if (value.trim() !== value) return 'expected no leading or trailing white space';
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'expected no control characters';
  return undefined;
}

/** The file content of `record`: one line of JSON and a newline. */
export function serializeLatch(record: LatchRecord): string {
  const { clusterId, podName, writtenAt } = record;
  return `${JSON.stringify({ kind: LATCH_KIND, version: LATCH_VERSION, clusterId, podName, writtenAt })}\n`;
}

/**
 * Read a latch file's content. Throws `ERR_LATCH_INVALID` (naming `path` and what is wrong) for
 * anything that is not a complete latch of this version.
 */
export function parseLatch(text: string, path: string): LatchRecord {
  const invalid = (what: string): LatchError =>
    new LatchError(
      'ERR_LATCH_INVALID',
      path,
      `The formed latch ${path} is ${what}. It is not read as "no latch": this pod may have been a member of a cluster. ` +
        'Restore it from a backup, or, if this pod has never been a member of a cluster (or must leave it), delete the file.',
    );
  if (text.trim() === '') throw invalid('empty (a write cut short before its data reached the disk, or a file created by hand)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(`not JSON (${text.length} bytes; truncated?)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not a JSON object');
  const fields = value as Record<string, unknown>;
  if (fields['kind'] !== LATCH_KIND) throw invalid(`not a formed latch (its kind is ${JSON.stringify(fields['kind']) ?? 'missing'}, expected "${LATCH_KIND}")`);
  if (fields['version'] !== LATCH_VERSION) {
    throw invalid(`of version ${JSON.stringify(fields['version']) ?? 'missing'}; this release reads version ${LATCH_VERSION} (written by a newer release?)`);
  }
  const problem = clusterIdProblem(fields['clusterId']);
  if (problem !== undefined) throw invalid(`unusable: its clusterId is not a cluster id (${problem})`);
  const podName = fields['podName'] ?? null;
  if (podName !== null && typeof podName !== 'string') throw invalid('unusable: its podName is not a string');
  const writtenAt = fields['writtenAt'];
  if (typeof writtenAt !== 'string' || Number.isNaN(Date.parse(writtenAt))) throw invalid('unusable: its writtenAt is not a time');
  return { clusterId: fields['clusterId'] as string, podName, writtenAt };
}

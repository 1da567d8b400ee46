// What scripts/check-tarball.mjs and scripts/smoke-tarball.mjs share: pack the package the way a
// publish does (`npm pack` runs `prepack`, which builds), read a tarball's files, and say its size.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const root = resolve(import.meta.dirname, '..');
export const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `--name value` from the command line, or `fallback`. */
export function option(name, fallback = undefined) {
  const at = process.argv.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

/** Packs the package into `destination` (a new, empty folder is best); returns the tarball's path. */
export function packInto(destination) {
  mkdirSync(destination, { recursive: true });
  // `prepack` prints its banner on stderr; stdout is npm's JSON alone.
  const output = execFileSync(npm, ['pack', '--json', '--pack-destination', destination], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  return join(destination, JSON.parse(output)[0].filename);
}

/** The tarball given with `--tarball`, or a fresh one packed into `scratch`. */
export function tarballFromArgs(scratch) {
  const given = option('tarball');
  if (given !== undefined) return resolve(given);
  return packInto(scratch);
}

/** The regular files of a (gzipped, ustar) tarball: `{ path, size, data }`, `package/` stripped. */
export function readTarball(file) {
  const tar = gunzipSync(readFileSync(file));
  const files = [];
  const text = (start, length) => tar.toString('utf8', start, start + length).replace(/\0.*$/s, '');
  let longName = null;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    if (tar[offset] === 0) break; // the two zero blocks that end the archive
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[offset + 156] || 0x30);
    const prefix = text(offset + 345, 155);
    let name = text(offset, 100);
    if (prefix) name = `${prefix}/${name}`;
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      // A pax header: a `path=` record names the next entry.
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
      longName = path ? path[1] : null;
    } else if (type === '0' || type === '\0') {
      files.push({ path: (longName ?? name).replace(/^package\//, ''), size, data });
      longName = null;
    } else {
      longName = null;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Packed size (the .tgz), unpacked size (its files' bytes, what npm calls unpackedSize), file count. */
export function sizeOf(file) {
  const files = readTarball(file);
  return { packed: statSync(file).size, unpacked: files.reduce((sum, entry) => sum + entry.size, 0), files: files.length };
}

export const describeSize = ({ packed, unpacked, files }) =>
  `${packed} bytes packed (${(packed / 1024).toFixed(1)} KiB), ${unpacked} bytes unpacked (${(unpacked / 1024).toFixed(1)} KiB), ${files} files`;

// Builds the package as it was at another commit (`--before <ref>`), so that the bench can poll
// with both in one process: `git archive` of that commit's sources into a scratch folder (read-only
// for the repository: no checkout, no worktree), this repository's node_modules linked in, and its
// own tsup config run there. Returns the built entry point to `import()`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './common.mjs';

export function buildBefore(root, ref) {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--short', `${ref}^{commit}`);
  const dir = join(root, '.ci', 'scratch', `bench-before-${commit}`);
  const entry = join(dir, 'dist', 'index.mjs');
  if (existsSync(entry)) return { commit, entry };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive --format=tar ${commit} package.json tsconfig.json tsup.config.ts src | tar -x -C "${dir}"`], { cwd: root, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`--before ${ref}: git archive failed: ${archive.stderr}`);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  log(`before: building ${commit} in ${dir}`);
  // Only the library's entry point: the bench imports nothing else of it.
  const tsup = spawnSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js'), '--silent'], { cwd: dir, encoding: 'utf8' });
  if (tsup.status !== 0 || !existsSync(entry)) throw new Error(`--before ${ref}: the build of ${commit} failed: ${tsup.stderr || tsup.stdout}`);
  return { commit, entry };
}

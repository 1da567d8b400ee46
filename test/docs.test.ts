/**
 * Code in the README and docs/ must keep working: every JavaScript block that runs against the
 * fake cluster is executed (against the built package, as a user would import it), and the
 * values its `console.log` lines promise in their trailing comments are checked.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const scratch = join(root, '.ci', 'scratch', 'docs');
const run = promisify(execFile);

interface Block {
  readonly file: string;
  readonly index: number;
  readonly code: string;
}

function runnableBlocks(): Block[] {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
  return files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)]
      .map((match, index) => ({ file, index, code: match[1] as string }))
      // Blocks that need a real cluster (no fake nameserver) are shown, not run: they would
      // query this machine's resolver.
      .filter((block) => block.code.includes('createFakeCluster(')),
  );
}

/** A trailing `// → 3` promises the output line "3" (a parenthesised remark after it is prose). */
function promisedOutput(code: string): string[] {
  return code
    .split('\n')
    .map((line) => /\/\/ → (.*?)(?:\s+\(.*\))?\s*$/.exec(line)?.[1])
    .filter((value): value is string => value !== undefined);
}

describe('documentation code blocks', () => {
  const blocks = runnableBlocks();

  it('exist', () => {
    expect(blocks.map((block) => block.file)).toEqual(expect.arrayContaining(['README.md', join('docs', 'testing.md')]));
  });

  it.each(blocks.map((block) => [`${block.file} #${block.index}`, block] as const))('%s runs as shown', async (_, block) => {
    mkdirSync(scratch, { recursive: true });
    const path = join(scratch, `${block.file.replace(/[\\/.]/g, '-')}-${block.index}.mjs`);
    writeFileSync(path, block.code);
    const { stdout } = await run(process.execPath, [path], { cwd: root, timeout: 60_000 });
    expect(stdout.trim().split('\n').filter(Boolean)).toEqual(promisedOutput(block.code));
  });
});

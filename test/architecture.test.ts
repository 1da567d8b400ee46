/**
 * The layout rules of docs/architecture.md, read off the source: the folder listing, which
 * area may import which (arrows point down the data flow), no import cycles, the command on
 * the public API only, and no terminal output outside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { areaOf, importCycles, layerViolations, readImportGraph, sourceFiles, type LayerRules } from './helpers/imports';

const ROOT = join(__dirname, '..');

/** What each area may import besides itself: the layers of docs/architecture.md, top to bottom. */
const RULES: LayerRules = {
  cli: ['index', 'testing'],
  index: ['runtime', 'config', 'diagnose', 'bootstrap', 'readiness', 'sources', 'kubernetes', 'membership', 'dns', 'observability', 'names', 'errors'],
  runtime: ['config', 'diagnose', 'bootstrap', 'readiness', 'sources', 'kubernetes', 'membership', 'dns', 'observability', 'names', 'errors'],
  diagnose: ['config', 'sources', 'kubernetes', 'membership', 'dns', 'observability', 'names', 'errors'],
  config: ['readiness', 'sources', 'kubernetes', 'membership', 'dns', 'names', 'errors'],
  testing: ['dns', 'names', 'errors'],
  readiness: ['membership', 'observability', 'names', 'errors'],
  sources: ['kubernetes', 'membership', 'dns', 'observability', 'names', 'errors'],
  kubernetes: ['membership', 'observability', 'names', 'errors'],
  bootstrap: ['membership', 'names', 'errors'],
  membership: ['names', 'errors'],
  dns: ['observability'],
  observability: [],
  opentelemetry: ['observability', 'errors'],
  names: [],
  errors: [],
};

const TOP_LEVEL = ['bootstrap', 'cli', 'config', 'diagnose', 'dns', 'errors.ts', 'index.ts', 'kubernetes', 'membership', 'names.ts', 'observability', 'opentelemetry', 'readiness', 'runtime', 'sources', 'testing'];
const PUBLIC_ENTRY_POINTS = ['src/index.ts', 'src/testing/index.ts'];

const files = sourceFiles(ROOT, 'src');
const graph = readImportGraph(ROOT, files);

/** The layout table of docs/architecture.md: area → the areas its row says it may import (parenthesised remarks aside). */
function documentedRules(): Record<string, string[]> {
  const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const rules: Record<string, string[]> = {};
  for (const line of page.split('\n')) {
    const cells = /^\| `([a-z]+)\/?` \|[^|]*\|([^|]*)\|$/.exec(line);
    if (!cells) continue;
    const area = cells[1] as string;
    const mentioned = [...(cells[2] as string).replace(/\([^)]*\)/g, '').matchAll(/`([a-z]+)\/?`/g)].map((match) => match[1] as string);
    rules[area] = mentioned.filter((name) => name !== area);
  }
  return rules;
}

/** A file's code without its comments (TSDoc examples may well call `console.log`). */
function code(file: string): string {
  return readFileSync(join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

describe('the layout of src/', () => {
  it('is the folders of docs/architecture.md, with only the entry point, the errors and the naming helpers at the top', () => {
    expect(readdirSync(join(ROOT, 'src')).sort()).toEqual(TOP_LEVEL);
  });

  it('is described by the layout table of docs/architecture.md, which says what these rules enforce', () => {
    expect(documentedRules()).toEqual(RULES);
  });

  it('has imports that point only down the layers', () => {
    expect(layerViolations(graph, RULES)).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('lets the command import only the public entry points', () => {
    const reaching = [...graph].flatMap(([file, targets]) =>
      areaOf(file) === 'cli' ? targets.filter((target) => areaOf(target) !== 'cli' && !PUBLIC_ENTRY_POINTS.includes(target)).map((target) => `${file} imports ${target}`) : [],
    );
    expect(reaching).toEqual([]);
  });

  it('writes to the terminal only from the command', () => {
    const writers = files.filter((file) => areaOf(file) !== 'cli' && /\bconsole\.|process\.(stdout|stderr)\b/.test(code(file)));
    expect(writers).toEqual([]);
  });

  it('keeps sources from emitting events', () => {
    const emitting = files.filter((file) => areaOf(file) === 'sources' && /\.emit\(|\bEventEmitter\b|from 'eventemitter3'/.test(code(file)));
    expect(emitting).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const made = (entries: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(entries));

  it('name the file and the import that cross a layer', () => {
    const violations = layerViolations(made({ 'src/membership/a.ts': ['src/dns/b.ts', 'src/names.ts'], 'src/dns/b.ts': [] }), { membership: ['names'], dns: [] });
    expect(violations).toEqual(['src/membership/a.ts imports src/dns/b.ts: membership/ may import only membership, names']);
  });

  it('report a folder that has no rule', () => {
    expect(layerViolations(made({ 'src/util/x.ts': [] }), {})).toEqual(['src/util/x.ts: its area "util" has no layer rule; add it to the rules (and to docs/architecture.md)']);
  });

  it('find a cycle, with its path', () => {
    const cycles = importCycles(made({ 'src/a.ts': ['src/b.ts'], 'src/b.ts': ['src/c.ts'], 'src/c.ts': ['src/a.ts'], 'src/d.ts': ['src/a.ts'] }));
    expect(cycles).toEqual(['src/a.ts → src/b.ts → src/c.ts → src/a.ts']);
  });

  it('read real imports, type-only and re-exports included', () => {
    const own = readImportGraph(ROOT, ['src/index.ts', 'src/config/options.ts']);
    expect(own.get('src/index.ts')).toContain('src/runtime/discovery.ts');
    expect(own.get('src/config/options.ts')).toContain('src/membership/types.ts');
  });
});

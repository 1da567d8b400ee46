/**
 * The import graph of `src/`, read file by file, and the checks the layout rules make of it:
 * which area may import which, and no cycles. Pure functions over the graph, so the checks
 * themselves are tested with graphs made up to break them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** File → the files it imports (paths relative to the repository, with `/`). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Area → the areas its files may import (its own is always allowed). */
export type LayerRules = Readonly<Record<string, readonly string[]>>;

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

/** Every `.ts` file under `dir`, relative to `root`, with `/` separators. */
export function sourceFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.ts')) found.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return found.sort();
}

/** Read the relative imports of `files` (type-only ones too: a cycle of types is a knot all the same). */
export function readImportGraph(root: string, files: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = new Set<string>();
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] as string;
      if (!specifier.startsWith('.')) continue;
      targets.add(resolveSpecifier(root, file, specifier));
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

function resolveSpecifier(root: string, from: string, specifier: string): string {
  const base = join(dirname(from), specifier).split(sep).join('/');
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (existsSync(join(root, candidate)) && statSync(join(root, candidate)).isFile()) return candidate;
  }
  throw new Error(`${from}: cannot resolve import "${specifier}"`);
}

/** The area of a file under `src/`: its folder, or its name for a top-level file (`index`, `errors`, `names`). */
export function areaOf(file: string): string {
  const [, first = '', second] = file.split('/');
  return second === undefined ? first.replace(/\.ts$/, '') : first;
}

/** Imports that cross into an area the rules do not allow, one message per offending import. */
export function layerViolations(graph: ImportGraph, rules: LayerRules): string[] {
  const messages: string[] = [];
  for (const [file, targets] of graph) {
    const area = areaOf(file);
    const allowed = rules[area];
    if (allowed === undefined) {
      messages.push(`${file}: its area "${area}" has no layer rule; add it to the rules (and to docs/architecture.md)`);
      continue;
    }
    for (const target of targets) {
      const to = areaOf(target);
      if (to !== area && !allowed.includes(to)) {
        messages.push(`${file} imports ${target}: ${area}/ may import only ${[area, ...allowed].join(', ')}`);
      }
    }
  }
  return messages;
}

/** Each import cycle once, as `a → b → … → a`. */
export function importCycles(graph: ImportGraph): string[] {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target].join(' → '));
      else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

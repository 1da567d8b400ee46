/**
 * Defaults live in `config/defaults.ts`; the TSDoc of the options and the command's help state
 * them for readers (an editor's hover cannot show a linked constant's value). These tests keep
 * what they state equal to what the code does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/help';
import {
  CA_PATH,
  DEFAULT_KUBECONFIG,
  defaultFastIntervalMs,
  defaultMaxIntervalMs,
  defaultMinIntervalMs,
  DISCOVERY_DEFAULTS,
  NAMESPACE_PATH,
  READINESS_DEFAULTS,
  RESOLV_CONF_PATH,
  TOKEN_PATH,
} from '../../src/config/defaults';
import { resolveOptions } from '../../src/config/resolve-options';

const OPTIONS_SOURCE = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'config', 'options.ts'), 'utf8');

/** The TSDoc of each property in options.ts, by property name (the first declaration wins). */
function propertyDocs(): Map<string, string> {
  const docs = new Map<string, string>();
  for (const match of OPTIONS_SOURCE.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(?:readonly\s+)?(\w+)\??:/g)) {
    const name = match[2] as string;
    if (!docs.has(name)) docs.set(name, (match[1] as string).replace(/\s*\n\s*\*\s?/g, ' '));
  }
  return docs;
}

/** The text after "Default:" up to the end of its sentence (a '.' followed by a space or the end). */
function stated(doc: string): string {
  const match = /Default:\s*(.*?)(?:\.\s|\.$|;|$)/.exec(doc.trim());
  return match?.[1] ?? '';
}

const docs = propertyDocs();

describe('the TSDoc of the options states the defaults the code applies', () => {
  it.each(Object.entries(DISCOVERY_DEFAULTS))('%s: %s', (option, value) => {
    const doc = docs.get(option);
    expect(doc, `options.ts documents ${option}`).toBeDefined();
    const text = stated(doc ?? '');
    const shown = typeof value === 'string' ? [`\`${value}\``, `\`'${value}'\``] : [`${String(value)}`, `\`${String(value)}\``];
    expect(shown.some((form) => new RegExp(`(^|[^\\w.])${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w])`).test(text)), `"${text}" states ${String(value)}`).toBe(true);
  });

  it.each([
    ['fastIntervalMs', `\`min(1000, intervalMs)\``, defaultFastIntervalMs(5000) === 1000 && defaultFastIntervalMs(300) === 300],
    ['minIntervalMs', `\`min(1000, fastIntervalMs)\``, defaultMinIntervalMs(5000) === 1000 && defaultMinIntervalMs(300) === 300],
    ['maxIntervalMs', `\`max(60000, intervalMs)\``, defaultMaxIntervalMs(5000) === 60_000 && defaultMaxIntervalMs(90_000) === 90_000],
  ])('%s: %s', (option, formula, holds) => {
    expect(stated(docs.get(option) ?? '')).toBe(formula);
    expect(holds).toBe(true);
  });

  it('and the derived defaults are what the options resolve to', () => {
    const config = resolveOptions({ service: 'mysql', namespace: 'default', podName: 'mysql-0', nameservers: ['127.0.0.1'], intervalMs: 700 });
    expect(config.timing).toEqual({
      intervalMs: 700,
      fastIntervalMs: defaultFastIntervalMs(700),
      minIntervalMs: defaultMinIntervalMs(defaultFastIntervalMs(700)),
      maxIntervalMs: defaultMaxIntervalMs(700),
      jitter: DISCOVERY_DEFAULTS.jitter,
    });
  });

  it.each(Object.entries(READINESS_DEFAULTS))('readiness.%s: %s, in its own TSDoc and in the summary of the readiness option', (key, value) => {
    expect(stated(docs.get(key) ?? '')).toBe(String(value));
    expect(docs.get('readiness')).toContain(`\`${key}\` (${value})`);
  });

  it('the environment paths', () => {
    expect(stated(docs.get('resolvConfPath') ?? '')).toBe(`\`${RESOLV_CONF_PATH}\``);
    expect(stated(docs.get('namespacePath') ?? '')).toBe(`\`${NAMESPACE_PATH}\``);
    expect(stated(docs.get('tokenPath') ?? '')).toBe(`\`${TOKEN_PATH}\``);
    expect(stated(docs.get('caPath') ?? '')).toBe(`\`${CA_PATH}\``);
  });

  it('the kubernetes option: the kubeconfig looked for last, under HOME', () => {
    expect(stated(docs.get('kubeconfig') ?? '')).toContain(`\`~/${DEFAULT_KUBECONFIG}\``);
    expect(stated(docs.get('kubernetes') ?? '')).toContain(`\`~/${DEFAULT_KUBECONFIG}\``);
  });
});

describe("the command's help states the same defaults", () => {
  it.each([
    ['--interval', `(default: ${DISCOVERY_DEFAULTS.intervalMs})`],
    ['--protocol', `(default: ${DISCOVERY_DEFAULTS.protocol})`],
    ['--ordinal-start', `(default: ${DISCOVERY_DEFAULTS.ordinalStart})`],
    ['--cluster-domain', `else ${DISCOVERY_DEFAULTS.clusterDomain})`],
    ['--resolv-conf', `(default: ${RESOLV_CONF_PATH})`],
  ])('%s %s', (flag, text) => {
    const line = HELP.watch.split('\n').find((candidate) => candidate.includes(flag));
    expect(line).toContain(text);
  });
});

/**
 * `labelSelector` and `fieldSelector`, parsed as the API server parses them
 * (`k8s.io/apimachinery/pkg/labels` and `pkg/fields`): comma-separated requirements that must
 * all hold. Labels: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. Fields:
 * `metadata.name` and `metadata.namespace` with `=`, `==`, `!=` (the fields every resource
 * supports).
 *
 * @module
 */
import type { KubeObject } from './cluster-state';

/** A parsed selector: whether an object matches it. */
export type Selector = (object: KubeObject) => boolean;

/** A selector that does not parse: the API answers 400 with this message. */
export class SelectorError extends Error {}

const everything: Selector = () => true;

/** Split on commas outside parentheses. */
function requirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts.map((part) => part.trim());
}

const KEY = /^([A-Za-z0-9][-A-Za-z0-9_.]*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checked(key: string, values: readonly string[], requirement: string): void {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${requirement}"`);
  for (const value of values) {
    if (!VALUE.test(value)) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${requirement}"`);
  }
}

function labelRequirement(requirement: string): Selector {
  const labels = (object: KubeObject): Readonly<Record<string, string>> => object.metadata?.labels ?? {};
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(requirement);
  if (set) {
    const [, key = '', operator, list = ''] = set;
    const values = list.split(',').map((value) => value.trim());
    checked(key, values, requirement);
    return operator === 'in'
      ? (object) => values.includes(labels(object)[key] as string)
      : (object) => !values.includes(labels(object)[key] as string);
  }
  const comparison = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(requirement);
  if (comparison) {
    const [, key = '', operator, value = ''] = comparison;
    checked(key, [value], requirement);
    return operator === '!=' ? (object) => labels(object)[key] !== value : (object) => labels(object)[key] === value;
  }
  const absent = /^!\s*(\S+)$/.exec(requirement);
  if (absent) {
    const key = absent[1] as string;
    checked(key, [], requirement);
    return (object) => !(key in labels(object));
  }
  checked(requirement, [], requirement);
  return (object) => requirement in labels(object);
}

/** Parse a `labelSelector` (empty or absent: everything). */
export function parseLabelSelector(text: string | null): Selector {
  if (text === null || text.trim() === '') return everything;
  const checks = requirements(text).map(labelRequirement);
  return (object) => checks.every((check) => check(object));
}

/** Parse a `fieldSelector` (empty or absent: everything). */
export function parseFieldSelector(text: string | null): Selector {
  if (text === null || text.trim() === '') return everything;
  const checks = requirements(text).map((requirement): Selector => {
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(requirement);
    if (!match) throw new SelectorError(`invalid selector: '${requirement}'; can't understand '${requirement}'`);
    const [, field = '', operator, value = ''] = match;
    if (field !== 'metadata.name' && field !== 'metadata.namespace') throw new SelectorError(`field label not supported: ${field}`);
    const read = (object: KubeObject): unknown => (field === 'metadata.name' ? object.metadata?.name : object.metadata?.namespace);
    return operator === '!=' ? (object) => read(object) !== value : (object) => read(object) === value;
  });
  return (object) => checks.every((check) => check(object));
}

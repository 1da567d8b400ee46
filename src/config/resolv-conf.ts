/**
 * Parsing of resolv.conf(5), the way glibc reads it, plus the `LOCALDOMAIN` and `RES_OPTIONS`
 * environment overrides.
 *
 * @module
 */
import { parseNameserver } from '../dns/nameserver';
import type { Nameserver } from '../dns/types';

/** Resolver options from the `options` line. */
export interface ResolverOptions {
  readonly timeoutMs?: number;
  readonly attempts?: number;
  readonly ndots?: number;
  readonly rotate?: boolean;
  readonly edns0?: boolean;
  readonly useVc?: boolean;
}

/** What a resolv.conf says. */
export interface ResolvConf {
  readonly nameservers: readonly Nameserver[];
  readonly search: readonly string[];
  readonly options: ResolverOptions;
}

// glibc's caps (resolv/res_init.c: RES_MAXRETRANS 30, RES_MAXRETRY 5, RES_MAXNDOTS 15).
const MAX_TIMEOUT_S = 30;
const MAX_ATTEMPTS = 5;
const MAX_NDOTS = 15;

/** Parse the text of a resolv.conf. Unparsable lines and values are skipped, as glibc does. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: Nameserver[] = [];
  let search: string[] = [];
  let options: ResolverOptions = {};
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const [keyword, ...values] = line.split(/\s+/);
    switch (keyword) {
      case 'nameserver': {
        // A link-local IPv6 server may carry a zone id (fe80::1%eth0); queries go by address.
        const parsed = values[0] === undefined ? undefined : parseNameserver(values[0].replace(/%.*$/, ''));
        if (parsed) nameservers.push(parsed);
        break;
      }
      case 'search':
      case 'domain':
        // The last of `search` and `domain` wins (resolv.conf(5)).
        search = values.map((entry) => entry.replace(/\.$/, '').toLowerCase()).filter((entry) => entry !== '');
        break;
      case 'options':
        options = applyOptions(options, values);
        break;
      default:
        break;
    }
  }
  return { nameservers, search, options };
}

/**
 * Apply the environment overrides glibc honours: `LOCALDOMAIN` replaces the search list and
 * `RES_OPTIONS` is read as an extra `options` line.
 */
export function applyResolverEnv(conf: ResolvConf, env: Readonly<Record<string, string | undefined>>): ResolvConf {
  const localDomain = env['LOCALDOMAIN'];
  const resOptions = env['RES_OPTIONS'];
  return {
    nameservers: conf.nameservers,
    search:
      localDomain === undefined
        ? conf.search
        : localDomain
            .split(/\s+/)
            .map((entry) => entry.replace(/\.$/, '').toLowerCase())
            .filter((entry) => entry !== ''),
    options: resOptions === undefined ? conf.options : applyOptions(conf.options, resOptions.trim().split(/\s+/)),
  };
}

function applyOptions(current: ResolverOptions, words: readonly string[]): ResolverOptions {
  const next: { -readonly [K in keyof ResolverOptions]: ResolverOptions[K] } = { ...current };
  for (const word of words) {
    const [name, value] = word.split(':', 2);
    const number = value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
    switch (name) {
      case 'timeout':
        if (number !== undefined && number >= 1) next.timeoutMs = Math.min(number, MAX_TIMEOUT_S) * 1000;
        break;
      case 'attempts':
        if (number !== undefined && number >= 1) next.attempts = Math.min(number, MAX_ATTEMPTS);
        break;
      case 'ndots':
        if (number !== undefined) next.ndots = Math.min(number, MAX_NDOTS);
        break;
      case 'rotate':
        next.rotate = true;
        break;
      case 'edns0':
        next.edns0 = true;
        break;
      case 'use-vc':
        next.useVc = true;
        break;
      default:
        break;
    }
  }
  return next;
}

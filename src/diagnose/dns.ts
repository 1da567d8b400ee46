/**
 * The diagnosis's view of DNS: every lookup goes through the library's resolver once (a name
 * and type asked twice by two checks is answered from memory, so the checks can share), and the
 * individual UDP/TCP exchanges of those lookups are recorded from the resolver's diagnostics
 * channel, so a truncated UDP reply whose TCP retry failed can be told apart from a plain
 * timeout. Exchanges of the same name and type made elsewhere in the process while a lookup is
 * in flight are recorded too; they describe the same server and name.
 *
 * @module
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { QUERY_CHANNEL, type QueryMessage } from '../dns/diagnostics';
import { absoluteName } from '../dns/name';
import type { LookupResult, QueryType, Resolver } from '../dns/types';

/** Memoized lookups and the exchanges behind them. */
export interface DiagnosisDns {
  /** Look `name` up (absolute; a trailing dot is added), once per name and type. */
  lookup(name: string, type: QueryType): Promise<LookupResult>;
  /** The result of a lookup made earlier, if it has settled. */
  result(name: string, type: QueryType): LookupResult | undefined;
  /** Every settled lookup, in the order they were first asked. */
  results(): readonly LookupResult[];
  /** The UDP and TCP exchanges of a lookup, in the order they settled. */
  exchanges(name: string, type: QueryType): readonly QueryMessage[];
  /** Stop recording exchanges. */
  close(): void;
}

const key = (name: string, type: QueryType): string => `${type} ${absoluteName(name)}`;

/**
 * Wrap `resolver` for one diagnosis; `signal` aborts every lookup. `onWaiting` is told the
 * lookups in flight (`<type> <absolute name>`, in the order asked) whenever they change.
 */
export function createDiagnosisDns(resolver: Resolver, signal: AbortSignal, onWaiting?: (lookups: readonly string[]) => void): DiagnosisDns {
  const pending = new Map<string, Promise<LookupResult>>();
  const settled = new Map<string, LookupResult>();
  const inFlight = new Set<string>();
  const started = (id: string): void => {
    inFlight.add(id);
    onWaiting?.([...inFlight]);
  };
  const ended = (id: string): void => {
    inFlight.delete(id);
    onWaiting?.([...inFlight]);
  };
  const exchanges = new Map<string, QueryMessage[]>();
  const order: string[] = [];

  const record = (message: unknown): void => {
    const query = message as QueryMessage;
    const id = `${query.type} ${query.name}`;
    if (!inFlight.has(id)) return;
    const list = exchanges.get(id) ?? [];
    list.push(query);
    exchanges.set(id, list);
  };
  subscribe(QUERY_CHANNEL, record);

  return {
    lookup(name, type) {
      const id = key(name, type);
      let promise = pending.get(id);
      if (!promise) {
        order.push(id);
        started(id);
        promise = resolver.lookup(absoluteName(name), type, signal).then(
          (result) => {
            settled.set(id, result);
            ended(id);
            return result;
          },
          (error: unknown) => {
            ended(id);
            throw error;
          },
        );
        pending.set(id, promise);
      }
      return promise;
    },
    result: (name, type) => settled.get(key(name, type)),
    results: () => order.flatMap((id) => settled.get(id) ?? []),
    exchanges: (name, type) => exchanges.get(key(name, type)) ?? [],
    close: () => unsubscribe(QUERY_CHANNEL, record),
  };
}

/**
 * `--explain <pod>`: why a pod is or is not a member, from `discovery.explain()`. `watch` tells it
 * after every poll (read from the `headless-discovery:poll:end` channel, as any user can) and
 * after every change between polls (a readiness verdict): as an `explain` NDJSON record, or, on a
 * terminal, as lines under the peer table, redrawn with it. `doctor` tells it once, after its
 * checks, from one poll of a discovery of its own: the doctor diagnoses DNS and the API, while
 * only a discovery holds memberships (what a poll saw, what readiness probes said).
 *
 * @module
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createDiscovery, explanationLines, POLL_END_CHANNEL, type Discovery, type DiscoveryOptions, type Explanation, type PollEndMessage } from '../index';
import { readFlag, type SharedValues } from './args';
import { flag } from './flags';

/** The pod `--explain` (or its variable) names, if any. */
export function explainTarget(values: SharedValues, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return readFlag(values, env, flag('explain'))?.text;
}

/** Tells the explanation of `target` after every poll and every change outside a poll; `close()` stops. */
export function explainAfterPolls(discovery: Discovery, target: string, tell: (explanation: Explanation) => void): { close(): void } {
  const { service, namespace } = discovery.explain(target);
  const ended = (message: unknown): void => {
    const poll = message as PollEndMessage;
    if (poll.service === service && poll.namespace === namespace && !discovery.closed) tell(discovery.explain(target));
  };
  // A change during a poll is followed by the poll's end, which tells it.
  const changed = (): void => {
    if (!discovery.polling.inFlight) tell(discovery.explain(target));
  };
  subscribe(POLL_END_CHANNEL, ended);
  discovery.on('change', changed);
  return {
    close: () => {
      unsubscribe(POLL_END_CHANNEL, ended);
      discovery.off('change', changed);
    },
  };
}

/** The `explain` record's fields: the explanation whole. */
export function explainFields(explanation: Explanation): Record<string, unknown> {
  return { explanation };
}

/** The lines shown on a terminal: a title, then the explanation's lines. */
export function explainScreenLines(explanation: Explanation): string[] {
  return [`Why ${explanation.name}:`, ...explanationLines(explanation).map((line, index) => (index === 0 ? `  ${line}` : line))];
}

/** One poll of a discovery of its own (probes included), and the explanation of `target` after it. */
export async function explainOnce(options: DiscoveryOptions, target: string): Promise<Explanation> {
  const discovery = createDiscovery(options);
  // Its failures are in the explanation (the last poll failed) and in the doctor's findings.
  discovery.on('error', () => undefined);
  try {
    await discovery.start();
    return discovery.explain(target);
  } finally {
    await discovery.close();
  }
}

/** The doctor's section: a blank line, then the explanation. */
export function formatExplanation(explanation: Explanation): string {
  return `\n${explainScreenLines(explanation).join('\n')}\n`;
}

#!/usr/bin/env node
/**
 * The `headless-discovery` command: `watch`, `doctor`, `demo`. Parses arguments with
 * `node:util` `parseArgs`; usage errors are one line and exit code 2 (a mistyped command or
 * flag gets a "did you mean"), expected failures never print a stack trace.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { InvalidOptionError } from '../index';
import { dnsTiming, flagOn, originOf, sourceTypo, toDiscoveryOptions, UsageError, type SharedValues } from './args';
import { runDemo } from './demo';
import { runDoctor } from './doctor';
import { explainTarget } from './explain';
import { DEMO_FLAG_LIST, parseArgsOptions, SHARED_FLAG_LIST, type Flag } from './flags';
import { HELP } from './help';
import { checkKubernetesFlags } from './kubernetes-flags';
import type { TerminalStream } from './progress-line';
import { didYouMean } from './suggest';
import { runWatch } from './watch';

declare const __VERSION__: string;

const COMMANDS = ['watch', 'doctor', 'demo'] as const;
type Command = (typeof COMMANDS)[number];

/** Where the command writes, and what ends a `watch`. */
export interface CommandIo {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  /** Resolves when a `watch` should end. Default: the first SIGINT or SIGTERM. */
  readonly stopped?: () => Promise<void>;
}

const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** Run the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const out = (text: string): void => void io.stdout.write(text);
  let values: SharedValues = {};
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      out(`${HELP.main}\n`);
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-v') {
      out(`${__VERSION__}\n`);
      return 0;
    }
    if (!COMMANDS.includes(first as Command)) {
      throw new UsageError(`unknown command "${first}"${didYouMean(first, COMMANDS)} (commands: ${COMMANDS.join(', ')}; see --help)`);
    }
    const command = first as Command;

    if (command === 'demo') {
      ({ values } = parse(rest, DEMO_FLAG_LIST, false));
      if (values['help']) return help(command, out);
      return await runDemo((line) => out(`${line}\n`), dnsTiming(values, env));
    }

    const parsed = parse(rest, SHARED_FLAG_LIST, true);
    values = parsed.values;
    if (values['help']) return help(command, out);
    const options = toDiscoveryOptions(parsed.positionals, values, env);
    checkKubernetesFlags(command, options, values, env);
    const json = flagOn(values, env, 'json');
    const explain = explainTarget(values, env);
    if (command === 'doctor') return await runDoctor(options, json, { ...io, explain });
    return await runWatch(options, json, { stdout: io.stdout, stopped: (io.stopped ?? interrupted)(), explain });
  } catch (error) {
    if (error instanceof InvalidOptionError) {
      const from = originOf(error.option, values, env);
      io.stderr.write(`headless-discovery: ${from === undefined ? '' : `${from}: `}${error.message}${sourceTypo(error.option, values, env)}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`headless-discovery: ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`headless-discovery: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/**
 * Parse `args` against `flags`: an unknown flag is named with the closest known one, then the
 * values are read strictly (a missing value, a value given to a boolean flag).
 */
function parse(args: readonly string[], flags: readonly Flag[], allowPositionals: boolean): { values: SharedValues; positionals: string[] } {
  const options = parseArgsOptions(flags);
  const { tokens } = parseArgs({ args: [...args], options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name in options) continue;
    const known = flags.flatMap((entry) => [`--${entry.name}`, ...(entry.short === undefined ? [] : [`-${entry.short}`])]);
    throw new UsageError(`unknown option '${token.rawName}'${didYouMean(token.rawName, known, "'")} (see --help)`);
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals, strict: true });
    return { values: values as SharedValues, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split('\n')[0] ?? 'invalid arguments') : 'invalid arguments');
  }
}

function help(command: Command, out: (text: string) => void): number {
  out(`${HELP[command]}\n`);
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

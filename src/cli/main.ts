#!/usr/bin/env node
/**
 * The `headless-discovery` command: `watch`, `doctor`, `demo`. Parses arguments with
 * `node:util` `parseArgs`; usage errors are one line and exit code 2, expected failures never
 * print a stack trace.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InvalidOptionError } from '../index';
import { SHARED_FLAGS, UsageError, flagOn, toDiscoveryOptions, type SharedValues } from './args';
import { runDemo } from './demo';
import { runDoctor } from './doctor';
import { HELP } from './help';
import { runWatch } from './watch';

declare const __VERSION__: string;

const COMMANDS = ['watch', 'doctor', 'demo'] as const;
type Command = (typeof COMMANDS)[number];

/** Run the command line `argv` (without node and the script); resolves with the exit code. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
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
    if (!COMMANDS.includes(first as Command)) throw new UsageError(`unknown command "${first}"; expected one of: ${COMMANDS.join(', ')} (see --help)`);
    const command = first as Command;

    if (command === 'demo') {
      const { values } = parse(rest, { help: { type: 'boolean', short: 'h' } }, false);
      if (values['help']) return help(command, out);
      return await runDemo((line) => out(`${line}\n`));
    }

    const { values, positionals } = parse(rest, SHARED_FLAGS, true);
    if (values['help']) return help(command, out);
    const options = toDiscoveryOptions(positionals, values, env);
    const json = flagOn(values, env, 'json');
    if (command === 'doctor') return await runDoctor(options, json, out);
    return await runWatch(options, json, { stdout: process.stdout, stopped: interrupted() });
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidOptionError) {
      process.stderr.write(`headless-discovery: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`headless-discovery: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function parse(
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  allowPositionals: boolean,
): { values: SharedValues; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals, strict: true });
    return { values: values as SharedValues, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] ?? 'invalid arguments' : 'invalid arguments');
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

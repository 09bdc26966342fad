#!/usr/bin/env node
/**
 * The `latchkey` command. Every command has --help; every error is one line on stderr and a
 * non-zero exit code (1 for failures, 2 for usage errors).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.ts';
import { COMMANDS as BASE_COMMANDS, type Command, UsageError } from './commands.ts';
import { CONNECTOR_COMMANDS } from './connector-commands.ts';

const COMMANDS = [...BASE_COMMANDS, ...CONNECTOR_COMMANDS];

const GLOBAL_HELP = `latchkey: the open-source auth and tool gateway for AI agents

Usage: latchkey <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(22)}${c.summary}`).join('\n')}

Global options:
  --config FILE         JSON config file (also LATCHKEY_CONFIG); LATCHKEY_* variables override it
  -h, --help            Show help (also after any command)

Configuration is read from LATCHKEY_* environment variables; see README.md.`;

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Longest match first: "keys rotate" before "keys".
  const sorted = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of sorted) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(GLOBAL_HELP);
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(
      `latchkey: unknown command "${argv.filter((a) => !a.startsWith('-')).join(' ')}"; run latchkey --help`,
    );
    return 2;
  }
  const { command, rest } = found;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    console.error(`latchkey ${command.name}: ${(e as Error).message}; run latchkey ${command.name} --help`);
    return 2;
  }
  if (parsed.values['help']) {
    console.log(`Usage: latchkey ${command.name} ${command.usage}\n\n${command.help}`);
    return 0;
  }
  try {
    return await command.run(
      parsed.values as Record<string, string | boolean | undefined>,
      parsed.positionals,
    );
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`latchkey ${command.name}: ${e.message}; run latchkey ${command.name} --help`);
      return 2;
    }
    console.error(`latchkey: ${oneLine(e)}`);
    return 1;
  }
}

function oneLine(e: unknown): string {
  if (e instanceof ConfigError) return e.message;
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!;
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}

/**
 * The command line, parsed with `node:util`'s `parseArgs`: a command, then its options.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { describeDuration, parseDuration } from './duration';
import { UsageError } from './errors/UsageError';
import { COMMANDS, type CommandName } from './help';

/** Options of `sync`. */
export interface SyncArguments {
  readonly config: string;
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly allowRemovals: boolean;
  readonly json: boolean;
  readonly logFile: string | undefined;
}

/** Options of `plan`. */
export interface PlanArguments {
  readonly config: string;
  readonly full: boolean;
  readonly allowRemovals: boolean;
  readonly json: boolean;
}

/** Options of `test-connection`. */
export interface TestConnectionArguments {
  readonly config: string;
  readonly json: boolean;
}

/** Options of `watch`. */
export interface WatchArguments {
  readonly config: string;
  /** @unit milliseconds */
  readonly interval: number;
  readonly json: boolean;
  readonly logFile: string | undefined;
}

/** The subcommands of `sso`. */
export const SSO_SUBCOMMANDS = ['links', 'check'] as const;

/** Options of `sso links` and `sso check`. */
export interface SsoArguments {
  readonly subcommand: (typeof SSO_SUBCOMMANDS)[number];
  readonly config: string;
  readonly json: boolean;
  /** `sso links --user NAME`: the directory user to show the links and the sign-in name for. */
  readonly user: string | undefined;
  /** `sso check --offline`: check the mapping and the metadata only, without reading the directory. */
  readonly offline: boolean;
}

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'help'; readonly command: CommandName | undefined }
  | { readonly kind: 'version' }
  | { readonly kind: 'sync'; readonly options: SyncArguments }
  | { readonly kind: 'plan'; readonly options: PlanArguments }
  | { readonly kind: 'test-connection'; readonly options: TestConnectionArguments }
  | { readonly kind: 'watch'; readonly options: WatchArguments }
  | { readonly kind: 'sso'; readonly options: SsoArguments }
  | { readonly kind: 'demo' };

/** The interval of `watch` when `--interval` is not given. @unit milliseconds */
export const DEFAULT_WATCH_INTERVAL = 15 * 60_000;

/** The shortest interval `watch` accepts. @unit milliseconds */
const MIN_WATCH_INTERVAL = 1000;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  'dry-run': { type: 'boolean' },
  full: { type: 'boolean' },
  'allow-removals': { type: 'boolean' },
  json: { type: 'boolean' },
  'log-file': { type: 'string' },
  interval: { type: 'string' },
  user: { type: 'string' },
  offline: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

/** The options each command accepts (besides `--help`). */
const ACCEPTED: Readonly<Record<CommandName, readonly (keyof typeof OPTIONS)[]>> = {
  sync: ['config', 'dry-run', 'full', 'allow-removals', 'json', 'log-file'],
  plan: ['config', 'full', 'allow-removals', 'json'],
  'test-connection': ['config', 'json'],
  watch: ['config', 'interval', 'json', 'log-file'],
  sso: ['config', 'json', 'user', 'offline'],
  demo: [],
};

/** The options only one `sso` subcommand accepts. */
const SSO_ONLY: Readonly<Partial<Record<keyof typeof OPTIONS, (typeof SSO_SUBCOMMANDS)[number]>>> = {
  user: 'links',
  offline: 'check',
};

/**
 * Parses `argv` (without `node` and the script).
 *
 * @throws UsageError naming the command and what is wrong.
 * @example
 * ```ts
 * parseCommandLine(['sync', '--config', 'provisioner.json', '--dry-run']);
 * // { kind: 'sync', options: { config: 'provisioner.json', dryRun: true, ... } }
 * ```
 */
export function parseCommandLine(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const command = argv.find((item) => (COMMANDS as readonly string[]).includes(item));
    throw new UsageError(usageMessage(error), command);
  }
  const { values, positionals } = parsed;
  const [first, ...extra] = positionals;
  if (first === undefined) {
    if (values.version === true) return { kind: 'version' };
    if (values.help === true) return { kind: 'help', command: undefined };
    throw new UsageError('no command given: sync, plan, test-connection, watch, sso or demo');
  }
  if (first === 'help') {
    const topic = extra[0];
    return { kind: 'help', command: isCommand(topic) ? topic : undefined };
  }
  if (!isCommand(first)) {
    throw new UsageError(`unknown command "${first}" (commands: ${COMMANDS.join(', ')})`);
  }
  const command = first;
  if (values.help === true) return { kind: 'help', command };
  if (values.version === true) return { kind: 'version' };
  const subcommand = command === 'sso' ? extra.shift() : undefined;
  if (command === 'sso' && !isSsoSubcommand(subcommand)) {
    throw new UsageError(
      subcommand === undefined
        ? 'sso needs a subcommand: sso links or sso check'
        : `unknown sso subcommand "${subcommand}" (sso links, sso check)`,
      command,
    );
  }
  if (extra.length > 0) throw new UsageError(`${command} takes no argument "${extra[0]}"`, command);
  for (const name of Object.keys(values) as (keyof typeof OPTIONS)[]) {
    if (name === 'help' || name === 'version') continue;
    if (!ACCEPTED[command].includes(name)) {
      throw new UsageError(`${command} has no option --${name}`, command);
    }
    const only = SSO_ONLY[name];
    if (only !== undefined && subcommand !== only) {
      throw new UsageError(`sso ${subcommand} has no option --${name} (it belongs to sso ${only})`, command);
    }
  }
  if (command === 'demo') return { kind: 'demo' };
  const config = values.config;
  if (config === undefined || config === '') {
    throw new UsageError(`${command} needs --config FILE (see docs/configuration.md)`, command);
  }
  const logFile = values['log-file'];
  if (logFile === '') throw new UsageError('--log-file needs a file name', command);
  switch (command) {
    case 'sync':
      return {
        kind: 'sync',
        options: {
          config,
          dryRun: values['dry-run'] === true,
          full: values.full === true,
          allowRemovals: values['allow-removals'] === true,
          json: values.json === true,
          logFile,
        },
      };
    case 'plan':
      return {
        kind: 'plan',
        options: {
          config,
          full: values.full === true,
          allowRemovals: values['allow-removals'] === true,
          json: values.json === true,
        },
      };
    case 'test-connection':
      return { kind: 'test-connection', options: { config, json: values.json === true } };
    case 'watch': {
      const interval =
        values.interval === undefined ? DEFAULT_WATCH_INTERVAL : parseDuration(values.interval);
      if (interval === undefined) {
        throw new UsageError(
          `--interval "${values.interval}" is not a duration such as 90s, 15m or 1h`,
          command,
        );
      }
      if (interval < MIN_WATCH_INTERVAL) {
        throw new UsageError(`--interval must be at least ${describeDuration(MIN_WATCH_INTERVAL)}`, command);
      }
      return { kind: 'watch', options: { config, interval, json: values.json === true, logFile } };
    }
    case 'sso': {
      if (values.user === '') throw new UsageError('--user needs a name', command);
      return {
        kind: 'sso',
        options: {
          subcommand: subcommand as SsoArguments['subcommand'],
          config,
          json: values.json === true,
          user: values.user,
          offline: values.offline === true,
        },
      };
    }
  }
}

function isSsoSubcommand(value: string | undefined): value is SsoArguments['subcommand'] {
  return value !== undefined && (SSO_SUBCOMMANDS as readonly string[]).includes(value);
}

function isCommand(value: string | undefined): value is CommandName {
  return value !== undefined && (COMMANDS as readonly string[]).includes(value);
}

function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) return `unknown option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(message);
  if (missing !== null) return `${missing[1]} needs a value`;
  return message.split('\n')[0] ?? message;
}

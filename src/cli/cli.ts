/**
 * The `aquera-provisioner` command line as a function: arguments and an {@link CliIo} in, an exit
 * code out. `main.ts` calls it with this process's streams; tests call it in-process.
 *
 * @module
 */

import { isSyncAbortedError } from '../engine/errors/SyncAbortedError';
import { type Invocation, parseCommandLine } from './args';
import { type CommandContext, commandContext } from './commands/context';
import { runDemo } from './commands/demo';
import { runPlan } from './commands/plan';
import { runSso } from './commands/sso';
import { runSync } from './commands/sync';
import { runTestConnection } from './commands/test-connection';
import { runWatch } from './commands/watch';
import { ExitCode, type ExitCodeValue } from './exit-codes';
import { COMMAND_HELP, OVERVIEW } from './help';
import type { CliIo } from './io';
import { describeFailure } from './output/failure';
import { reportToJson } from './output/report';
import { packageVersion } from './package-info';
import type { RuntimeOverrides } from './runtime';

/**
 * Runs the command line. Never throws: every failure is described on stderr (and, with `--json`,
 * as JSON on stdout) and turned into an exit code (see `exit-codes.ts`).
 *
 * @example
 * ```ts
 * const code = await runCli(['sync', '--config', 'provisioner.json'], processIo());
 * process.exitCode = code;
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  overrides: RuntimeOverrides = {},
): Promise<ExitCodeValue> {
  const context = commandContext(io, overrides);
  if (argv.length === 0) {
    context.err.write(OVERVIEW);
    return ExitCode.configOrConnection;
  }
  let invocation: Invocation | undefined;
  try {
    invocation = parseCommandLine(argv);
    return await dispatch(invocation, context);
  } catch (error) {
    const failure = describeFailure(error);
    const json = invocation !== undefined && 'options' in invocation && invocation.options.json;
    if (json) {
      // A cycle the target stopped still did something: its partial report goes along.
      const partial = isSyncAbortedError(error) ? error.report : undefined;
      context.out.json({
        ok: false,
        exitCode: failure.exitCode,
        error: { headline: failure.headline, details: failure.details },
        ...(partial === undefined ? {} : { report: reportToJson(partial) }),
      });
    }
    context.err.write(
      `${context.errStyle.fail} ${failure.headline}\n${failure.details.map((line) => `${line}\n`).join('')}`,
    );
    return failure.exitCode;
  }
}

async function dispatch(invocation: Invocation, context: CommandContext): Promise<ExitCodeValue> {
  switch (invocation.kind) {
    case 'help':
      context.out.write(invocation.command === undefined ? OVERVIEW : COMMAND_HELP[invocation.command]);
      return ExitCode.ok;
    case 'version':
      context.out.write(`${packageVersion()}\n`);
      return ExitCode.ok;
    case 'sync':
      return runSync(invocation.options, context);
    case 'plan':
      return runPlan(invocation.options, context);
    case 'test-connection':
      return runTestConnection(invocation.options, context);
    case 'watch':
      return runWatch(invocation.options, context);
    case 'sso':
      return runSso(invocation.options, context);
    case 'demo':
      return runDemo(context);
  }
}

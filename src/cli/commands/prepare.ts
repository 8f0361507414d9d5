/**
 * Loading the configuration and building the SDK objects, for every command that takes
 * `--config`.
 *
 * @module
 */
import { loadConfig } from '../config/load';
import { createRuntime, type Runtime } from '../runtime';
import type { CommandContext } from './context';

/**
 * Loads `file`, registers its secrets for redaction, and builds the runtime.
 *
 * @throws CliConfigError, or the SDK's option errors (see `createRuntime`).
 */
export async function prepare(file: string, context: CommandContext): Promise<Runtime> {
  const config = await loadConfig(file, { env: context.io.env, cwd: context.io.cwd });
  context.redactor.add(config.secrets);
  return createRuntime(config, context.overrides);
}

/**
 * The process the crash tests kill with SIGKILL: it runs one cycle of `crashEngine` on the seeded
 * directory (SEED, USERS, GROUPS, PHASE) to BASE_URL with the state file STATE_PATH and
 * REMOVE_ACTION, and prints its progress on stdout so that the test can kill it at a chosen
 * point:
 *
 * - `R` once the engine is built (before the state is loaded);
 * - one character per operation applied, by phase (see {@link PHASE_MARKS});
 * - `\ndone\n` once the cycle and the state file are finished.
 *
 * The test bundles it (see `child-process.ts`) and runs it with node.
 */
import { crashDirectory, type DirectoryPhase } from './directory';
import { crashEngine, type RemoveAction } from './engine';
import { PHASE_MARKS } from './marks';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const phase = required('PHASE') as DirectoryPhase;
  const engine = crashEngine({
    baseUrl: required('BASE_URL'),
    statePath: required('STATE_PATH'),
    datastore: crashDirectory(
      Number(required('SEED')),
      { users: Number(required('USERS')), groups: Number(required('GROUPS')) },
      phase,
    ),
    removeAction: required('REMOVE_ACTION') as RemoveAction,
  });
  engine.on('progress', (event) => {
    const mark = PHASE_MARKS[event.phase];
    if (event.done > 0 && mark !== undefined) process.stdout.write(mark);
  });
  process.stdout.write('R');
  await engine.sync();
  await engine.close();
  process.stdout.write('\ndone\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exitCode = 1;
});

/**
 * `aquera-provisioner plan`: what a sync would do now, as a table or JSON. Nothing is written.
 *
 * @module
 */
import type { PlanArguments } from '../args';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import { planToJson, renderPlan } from '../output/plan';
import type { CommandContext } from './context';
import { prepare } from './prepare';

/**
 * Runs `plan`. The exit code is the one a sync would give for what can be told in advance: 1 when
 * objects cannot be planned (their mapping fails), 3 when removals would be held, else 0.
 */
export async function runPlan(args: PlanArguments, context: CommandContext): Promise<ExitCodeValue> {
  const runtime = await prepare(args.config, context);
  try {
    const plan = await runtime.engine.plan({ full: args.full, allowRemovals: args.allowRemovals });
    const exitCode =
      plan.failures.length > 0
        ? ExitCode.failures
        : plan.held !== undefined
          ? ExitCode.removalsHeld
          : ExitCode.ok;
    if (args.json) context.out.json({ ok: exitCode === 0, exitCode, plan: planToJson(plan) });
    else context.out.write(renderPlan(plan, context.outStyle));
    return exitCode;
  } finally {
    await runtime.close({ saveState: false });
  }
}

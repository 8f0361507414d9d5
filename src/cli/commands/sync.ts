/**
 * `aquera-provisioner sync`: one provisioning cycle, with progress, a summary (or JSON), and an
 * optional JSON-lines log of every operation.
 *
 * @module
 */
import path from 'node:path';
import type { SyncArguments } from '../args';
import type { ExitCodeValue } from '../exit-codes';
import { OperationLog } from '../output/operation-log';
import { ProgressReporter } from '../output/progress';
import { exitCodeOf, renderSummary, reportToJson } from '../output/report';
import type { CommandContext } from './context';
import { prepare } from './prepare';

/**
 * Runs `sync`.
 *
 * @throws what loading the configuration or the cycle throws (described by the caller).
 */
export async function runSync(args: SyncArguments, context: CommandContext): Promise<ExitCodeValue> {
  const runtime = await prepare(args.config, context);
  const { engine } = runtime;
  let log: OperationLog | undefined;
  const detach: Array<() => void> = [];
  let progress: ProgressReporter | undefined;
  try {
    const logFile = args.logFile === undefined ? undefined : path.resolve(context.io.cwd, args.logFile);
    if (logFile !== undefined) {
      log = await OperationLog.open(logFile, context.redactor, context.now);
      detach.push(log.attach(engine));
    }
    if (!args.json) {
      const reporter = new ProgressReporter(context.io.stderr, {
        interactive: context.io.stderr.isTTY === true,
        style: context.errStyle,
        redactor: context.redactor,
        now: context.now,
      });
      progress = reporter;
      const onProgress = reporter.update.bind(reporter);
      engine.on('progress', onProgress);
      detach.push(() => engine.off('progress', onProgress));
    }
    const report = await engine.sync({
      dryRun: args.dryRun,
      full: args.full,
      allowRemovals: args.allowRemovals,
    });
    progress?.end();
    const exitCode = exitCodeOf(report);
    if (args.json) {
      context.out.json({ ok: exitCode === 0, exitCode, report: reportToJson(report) });
    } else {
      context.out.write(renderSummary(report, context.outStyle, logFile === undefined ? {} : { logFile }));
    }
    return exitCode;
  } finally {
    progress?.end();
    for (const undo of detach) undo();
    await log?.close();
    await runtime.close({ saveState: !args.dryRun });
  }
}

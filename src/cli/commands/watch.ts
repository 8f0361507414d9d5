/**
 * `aquera-provisioner watch`: a cycle now, then one every interval after the previous one ended,
 * until SIGINT or SIGTERM. The first signal lets the cycle in flight finish (its state saved); a
 * second one stops it at once (no operation starts after it, what was applied is kept).
 *
 * @module
 */
import path from 'node:path';
import type { WatchArguments } from '../args';
import { describeDuration } from '../duration';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import type { StopSignal } from '../io';
import { describeFailure } from '../output/failure';
import { OperationLog } from '../output/operation-log';
import { ProgressReporter } from '../output/progress';
import { exitCodeOf, renderSummary, reportToJson } from '../output/report';
import type { CommandContext } from './context';
import { prepare } from './prepare';

/** Runs `watch` until a signal; 0 when stopped by one. */
export async function runWatch(args: WatchArguments, context: CommandContext): Promise<ExitCodeValue> {
  const runtime = await prepare(args.config, context);
  const { engine } = runtime;
  const { err, errStyle } = context;
  const abort = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;
  const onSignal = (signal: StopSignal) => {
    if (!stopping) {
      stopping = true;
      err.write(`\n${signal}: finishing the cycle in flight, then stopping (${signal} again to stop now).\n`);
      wake?.();
    } else if (!abort.signal.aborted) {
      err.write(`${signal}: stopping now; what was applied is kept.\n`);
      abort.abort(new Error(`stopped by ${signal}`));
    }
  };
  const unsubscribe = context.io.onSignal?.(onSignal);
  let log: OperationLog | undefined;
  const detach: Array<() => void> = [];
  try {
    if (args.logFile !== undefined) {
      log = await OperationLog.open(
        path.resolve(context.io.cwd, args.logFile),
        context.redactor,
        context.now,
      );
      detach.push(log.attach(engine));
    }
    const progress = args.json
      ? undefined
      : new ProgressReporter(context.io.stderr, {
          interactive: context.io.stderr.isTTY === true,
          style: errStyle,
          redactor: context.redactor,
          now: context.now,
        });
    if (progress !== undefined) {
      const onProgress = progress.update.bind(progress);
      engine.on('progress', onProgress);
      detach.push(() => engine.off('progress', onProgress));
    }
    if (!args.json) {
      err.write(
        `Watching: a cycle now, then every ${describeDuration(args.interval)} after the previous one ends. Ctrl-C to stop.\n`,
      );
    }
    let cycle = 0;
    while (!stopping) {
      cycle += 1;
      try {
        const report = await engine.sync({ signal: abort.signal });
        progress?.end();
        if (args.json) {
          context.out.json({ cycle, exitCode: exitCodeOf(report), report: reportToJson(report) }, 0);
        } else {
          context.out.write(
            `\n${errStyle.dim(`cycle ${cycle}, ${new Date(report.finishedAt).toISOString()}`)}\n`,
          );
          context.out.write(renderSummary(report, context.outStyle));
        }
      } catch (error) {
        progress?.end();
        if (abort.signal.aborted) break;
        const failure = describeFailure(error);
        if (args.json) {
          context.out.json(
            {
              cycle,
              exitCode: failure.exitCode,
              error: { headline: failure.headline, details: failure.details },
            },
            0,
          );
        } else {
          err.write(
            `${errStyle.fail} cycle ${cycle} failed: ${failure.headline}\n${failure.details.join('\n')}\n`,
          );
        }
      }
      if (stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, args.interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
    if (!args.json) err.write('Stopped; the state is saved.\n');
    return ExitCode.ok;
  } finally {
    unsubscribe?.();
    for (const undo of detach) undo();
    await log?.close();
    await runtime.close();
  }
}

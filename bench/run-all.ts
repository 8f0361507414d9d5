/**
 * `npm run bench`: every benchmark of issue 8, each in its own Node process, then the combined
 * `bench/results/summary.json` and `bench/results/README.md`.
 *
 * The benchmarks are bundled first (tsup, into `bench/.build/`) and run with plain `node
 * --expose-gc`, so that no transform runs during a measurement and memory figures start from
 * Node's own baseline. `--from-source` runs them with vite-node instead.
 *
 * Run: `npx vite-node bench/run-all.ts [--smoke] [--only ceiling,scale] [--results-dir <dir>] [--from-source]`
 * (results go to `bench/results/`, or `bench/.build/smoke-results/` with `--smoke`).
 */
import { spawn } from 'node:child_process';
import { buildBenchBundles } from './lib/build-bundles';
import { SMOKE_RESULTS_DIR } from './lib/options';
import { repoPath, repoRoot } from './lib/paths';
import { DEFAULT_RESULTS_DIR } from './lib/results';
import { BENCHMARK_ORDER, writeSummary } from './lib/summary';

function run(command: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot(), stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
    child.on('error', () => resolve(1));
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((arg) => arg !== '--');
  const smoke = argv.includes('--smoke');
  const fromSource = argv.includes('--from-source');
  const argument = (name: string) => {
    const index = argv.indexOf(name);
    return index < 0 ? undefined : argv[index + 1];
  };
  const resultsDir = argument('--results-dir') ?? (smoke ? SMOKE_RESULTS_DIR : DEFAULT_RESULTS_DIR);
  const only = argument('--only')?.split(',');
  const names = BENCHMARK_ORDER.filter((name) => only === undefined || only.includes(name));
  if (!fromSource) await buildBenchBundles([...names, 'server-child', 'scale-worker']);
  const outcomes: { name: string; code: number; seconds: number }[] = [];
  for (const name of names) {
    const started = Date.now();
    console.log(`\n=== ${name}${smoke ? ' (smoke)' : ''} ===`);
    const entry = fromSource
      ? [repoPath('node_modules/vite-node/vite-node.mjs'), repoPath('bench', `${name}.ts`)]
      : [repoPath('bench', '.build', `${name}.mjs`)];
    const code = await run(process.execPath, [
      '--expose-gc',
      '--max-old-space-size=8192',
      ...entry,
      ...(smoke ? ['--smoke'] : []),
      '--results-dir',
      resultsDir,
    ]);
    outcomes.push({ name, code, seconds: Math.round((Date.now() - started) / 1000) });
  }
  const { results, missing } = await writeSummary(resultsDir);
  console.log('\n=== summary ===');
  for (const outcome of outcomes)
    console.log(
      `${outcome.name}: ${outcome.code === 0 ? 'ok' : `FAILED (exit ${outcome.code})`} in ${outcome.seconds} s`,
    );
  const unmet = results.flatMap((result) =>
    result.goals.filter((item) => item.met === false).map((item) => `${result.name}: ${item.name}`),
  );
  console.log(
    `${results.length} result files${missing.length > 0 ? `, missing: ${missing.join(', ')}` : ''}; goals not met: ${unmet.length}`,
  );
  for (const line of unmet) console.log(`  - ${line}`);
  console.log(`written: ${resultsDir}/summary.json and README.md`);
  if (outcomes.some((outcome) => outcome.code !== 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

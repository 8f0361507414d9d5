/**
 * Profiles a benchmark: bundles it with tsup (with a source map), runs the bundle under
 * `node --cpu-prof`, and lists the functions with the most self time, at their TypeScript
 * `file:line`. The summary is written to `bench/results/profiles/<benchmark>.json`; the raw
 * `.cpuprofile` stays in `bench/.build/profiles/` (open it in Chrome DevTools or speedscope).
 *
 * Run: `npx vite-node bench/profile.ts <benchmark> [its arguments]`, e.g.
 * `npx vite-node bench/profile.ts initial-sync --concurrency 8 --state memory` (`--label <x>` names
 * the summary `<benchmark>-<x>.json`), or summarize
 * profiles written otherwise (e.g. by `scale-worker --profile`):
 * `npx vite-node bench/profile.ts --summarize <file.cpuprofile>... [--label <name>]` (with a label,
 * the summary is also written to `bench/results/profiles/<name>.json`)
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBenchBundles } from './lib/build-bundles';
import { summarizeCpuProfile } from './lib/cpu-profile';
import { repoPath, repoRoot } from './lib/paths';
import { printTable } from './lib/results';

function printSummary(summary: { profile: string } & ReturnType<typeof summarizeCpuProfile>): void {
  console.log(`\n${summary.profile}: ${summary.totalMs} ms profiled, ${summary.busyMs} ms busy`);
  const rows = (entries: typeof summary.top) =>
    entries.map((entry) => ({
      ms: entry.selfMs,
      '%': entry.selfPercent,
      function: entry.name,
      at: entry.location,
    }));
  printTable('Top self time by function', rows(summary.top));
  printTable('Total time (self + callees) of src/ functions', rows(summary.inclusive));
  printTable(
    'Self time by file',
    summary.byFile.map((entry) => ({ ms: entry.selfMs, '%': entry.selfPercent, file: entry.file })),
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2).filter((arg) => arg !== '--');
  const labelIndex = argv.indexOf('--label');
  const label = labelIndex < 0 ? undefined : argv[labelIndex + 1];
  if (labelIndex >= 0) argv.splice(labelIndex, 2);
  const summaryDir = repoPath('bench', 'results', 'profiles');
  if (argv[0] === '--summarize') {
    const summaries = argv.slice(1).map((file) => ({
      profile: path.relative(repoRoot(), path.resolve(file)),
      ...summarizeCpuProfile(path.resolve(file), { root: repoRoot(), limit: 30 }),
    }));
    for (const summary of summaries) printSummary(summary);
    if (label !== undefined) {
      await mkdir(summaryDir, { recursive: true });
      await writeFile(
        path.join(summaryDir, `${label}.json`),
        `${JSON.stringify({ label, node: process.version, date: new Date().toISOString(), summaries }, null, 2)}\n`,
      );
    }
    return;
  }
  const [benchmark, ...args] = argv;
  if (benchmark === undefined || !/^[a-z0-9-]+$/.test(benchmark)) {
    console.error(
      'usage: npx vite-node bench/profile.ts <benchmark> [arguments], e.g. initial-sync --concurrency 8',
    );
    process.exitCode = 2;
    return;
  }
  const outDir = repoPath('bench', '.build');
  const profileDir = path.join(outDir, 'profiles', `${benchmark}-${Date.now()}`);
  await mkdir(profileDir, { recursive: true });
  await buildBenchBundles([benchmark, 'server-child', 'scale-worker']);
  const bundle = path.join(outDir, `${benchmark}.mjs`);
  const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--expose-gc', '--max-old-space-size=8192'];
  console.log(`node ${nodeArgs.join(' ')} ${path.relative(repoRoot(), bundle)} ${args.join(' ')}`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, bundle, ...args], {
      stdio: 'inherit',
      cwd: repoRoot(),
    });
    child.on('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    console.error(`the benchmark exited with code ${code}`);
    process.exitCode = 1;
  }
  const profiles = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile'));
  const summaries = profiles.map((name) => ({
    profile: path.relative(repoRoot(), path.join(profileDir, name)),
    ...summarizeCpuProfile(path.join(profileDir, name), { root: repoRoot(), limit: 30 }),
  }));
  for (const summary of summaries) printSummary(summary);
  await mkdir(summaryDir, { recursive: true });
  await writeFile(
    path.join(summaryDir, `${benchmark}${label === undefined ? '' : `-${label}`}.json`),
    `${JSON.stringify({ benchmark, args, node: process.version, date: new Date().toISOString(), summaries }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

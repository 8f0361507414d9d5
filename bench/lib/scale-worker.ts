/**
 * Runs {@link noChangeAtScale} in a process of its own and prints the result as one JSON line
 * after the marker {@link SCALE_RESULT_MARKER}. Started by the scale and no-change benchmarks:
 * `node --expose-gc --max-old-space-size=<MiB> vite-node.mjs bench/lib/scale-worker.ts --users N --groups M [--profile <path prefix>]`
 * (with `--profile`, each cycle's CPU profile is written to `<prefix>-cold.cpuprofile` and `-warm`).
 */
import { noChangeAtScale } from './no-change-at-scale';
import { SCALE_RESULT_MARKER } from './scale-process';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (name: string) => {
    const index = args.indexOf(`--${name}`);
    const number = Number(index < 0 ? Number.NaN : args[index + 1]);
    if (!Number.isInteger(number) || number < 0) throw new TypeError(`--${name} must be a whole number`);
    return number;
  };
  const profileIndex = args.indexOf('--profile');
  const profilePrefix = profileIndex < 0 ? undefined : args[profileIndex + 1];
  const point = await noChangeAtScale(value('users'), value('groups'), profilePrefix);
  console.log(`${SCALE_RESULT_MARKER}${JSON.stringify(point)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

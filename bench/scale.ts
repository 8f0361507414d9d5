/**
 * Issue 8, item 7: the no-change cycle at 10k, 100k and 1M users, each in a fresh process.
 *
 * Run: `npx vite-node bench/scale.ts [--smoke] [--sizes 10000,100000,1000000] [--max-old-space-size 6144]`
 */
import { runCli } from './lib/cli';
import { scaleBenchmark } from './suites/scale';

runCli(scaleBenchmark);

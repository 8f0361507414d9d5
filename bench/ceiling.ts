/**
 * Issue 8, item 2: engine throughput as a ratio of a bare keep-alive client sending the same requests.
 *
 * Run: `npx vite-node bench/ceiling.ts [--smoke] [--concurrency 8,32] [--rounds 3]`
 */
import { runCli } from './lib/cli';
import { ceilingBenchmark } from './suites/ceiling';

runCli(ceilingBenchmark);

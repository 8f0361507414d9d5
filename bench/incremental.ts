/**
 * Issue 8, item 4: incremental cycles, requests and time against the number of changes.
 *
 * Run: `node --expose-gc node_modules/vite-node/vite-node.mjs bench/incremental.ts [--smoke] [--sizes 10000,100000] [--changes 100]`
 */
import { runCli } from './lib/cli';
import { incrementalBenchmark } from './suites/incremental';

runCli(incrementalBenchmark);

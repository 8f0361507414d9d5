/**
 * Issue 8, item 1: initial provisioning throughput and request economy.
 *
 * Run: `npx vite-node bench/initial-sync.ts [--smoke] [--concurrency 8,32] [--users 10000] [--groups 1000] [--state file|memory]`
 */
import { runCli } from './lib/cli';
import { initialSyncBenchmark } from './suites/initial-sync';

runCli(initialSyncBenchmark);

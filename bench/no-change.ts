/**
 * Issue 8, item 3: a cycle with nothing to do on 100,000 users and 5,000 groups.
 *
 * Run: `node --expose-gc node_modules/vite-node/vite-node.mjs bench/no-change.ts [--smoke] [--users 100000] [--groups 5000]`
 */
import { runCli } from './lib/cli';
import { noChangeBenchmark } from './suites/no-change';

runCli(noChangeBenchmark);

/**
 * Issue 8, item 6: provisioning through a target that answers 429 + Retry-After above 50 requests/s.
 *
 * Run: `npx vite-node bench/rate-limit.ts [--smoke] [--rate 50] [--users 1500]`
 */
import { runCli } from './lib/cli';
import { rateLimitBenchmark } from './suites/rate-limit';

runCli(rateLimitBenchmark);

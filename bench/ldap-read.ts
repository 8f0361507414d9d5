/**
 * Issue 8, item 5: LdapDatastore against a bare paged ldapjs search on a slapd holding 100,000
 * users, and a timestamp delta read of 1 % changes.
 *
 * Run: `npx vite-node bench/ldap-read.ts [--smoke] [--users 100000] [--page-size 500] [--rounds 3]`
 * (`--profile <path prefix>` writes CPU profiles of the first measured reads; profiles slow the reads).
 */
import { runCli } from './lib/cli';
import { ldapReadBenchmark } from './suites/ldap-read';

runCli(ldapReadBenchmark);

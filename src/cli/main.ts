#!/usr/bin/env node
/**
 * The `aquera-provisioner` executable: runs the command line on this process's arguments and
 * streams, and exits with its code.
 *
 * @module
 */
import { runCli } from './cli';
import { processIo } from './io';

void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
  // Connections are closed by then; should anything still hold the event loop, do not hang a cron job.
  setTimeout(() => process.exit(code), 2000).unref();
});

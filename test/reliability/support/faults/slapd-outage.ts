/**
 * Outages of a throwaway slapd (test/support/ldap/slapd.ts): kill it with SIGKILL at a chosen
 * moment (its pid file says which process), and start it again on the same port, configuration and
 * database, as an administrator restarting a crashed directory would.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type ManagedProcess,
  registerCleanup,
  runCommand,
  startProcess,
  waitUntil,
} from '../../../support/ldap/processes';
import type { SlapdHandle } from '../../../support/ldap/slapd';

const SLAPD = '/usr/sbin/slapd';

/** Kills and restarts one slapd. Call {@link SlapdOutage.stop} in `afterAll` (before the handle's `stop()`). */
export class SlapdOutage {
  private restarted: ManagedProcess | undefined;
  private forgetRestarted: (() => void) | undefined;

  constructor(private readonly slapd: SlapdHandle) {}

  /** The pid of the slapd serving now, from its pid file. */
  private pid(): number {
    const text = readFileSync(path.join(this.slapd.dir, 'slapd.pid'), 'utf8').trim();
    const pid = Number(text);
    if (!Number.isInteger(pid) || pid <= 1) throw new Error(`slapd pid file holds ${JSON.stringify(text)}`);
    return pid;
  }

  /** SIGKILL to the running slapd, synchronously (safe to call from an iterator mid-read). */
  kill(): void {
    process.kill(this.pid(), 'SIGKILL');
  }

  /** Resolves once nothing answers on the slapd's port (bounded). */
  async waitUntilDown(): Promise<void> {
    await waitUntil(
      async () => {
        try {
          await runCommand('ldapsearch', ['-x', '-H', this.slapd.url, '-b', '', '-s', 'base', '1.1'], {
            timeoutMs: 2000,
          });
          return false;
        } catch {
          return true;
        }
      },
      { what: `slapd on ${this.slapd.url} to go down`, attempts: 100, intervalMs: 50 },
    );
  }

  /** Starts slapd again on the same URL with the same configuration and database. */
  async restart(): Promise<void> {
    await this.waitUntilDown();
    const server = startProcess(SLAPD, [
      '-f',
      path.join(this.slapd.dir, 'slapd.conf'),
      '-h',
      `${this.slapd.url}/`,
      '-d',
      '0',
    ]);
    this.restarted = server;
    if (server.child.pid !== undefined) this.forgetRestarted = registerCleanup({ pid: server.child.pid });
    await waitUntil(
      async () => {
        await runCommand('ldapsearch', ['-x', '-H', this.slapd.url, '-b', '', '-s', 'base', '1.1'], {
          timeoutMs: 5000,
        });
        return true;
      },
      {
        what: `restarted slapd on ${this.slapd.url}`,
        attempts: 150,
        intervalMs: 50,
        abortIf: () => {
          const status = server.exitStatus();
          if (status !== undefined) throw new Error(`restarted slapd exited (${status}): ${server.output()}`);
        },
      },
    );
  }

  /** Stops the restarted slapd, if any. */
  async stop(): Promise<void> {
    await this.restarted?.stop();
    this.forgetRestarted?.();
    this.restarted = undefined;
  }
}

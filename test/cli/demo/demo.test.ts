/**
 * `aquera-provisioner demo`, in process: it must run with nothing set up and tell its story.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli';
import { captureIo, demoCounts } from '../helpers';

describe('demo', () => {
  it('syncs the demo company, changes it, syncs again, and says what happened', async () => {
    const counts = demoCounts();
    const io = captureIo({ env: {} });

    const code = await runCli(['demo'], io);

    const story = io.stdoutText();
    expect(code, io.allText()).toBe(0);
    expect(story).toContain(`${counts.people} people`);
    expect(story).toContain(`${counts.disabled} accounts`);
    expect(story).toContain(
      `${counts.people - counts.disabled} users and ${counts.groups} groups created, ${counts.memberships} memberships added`,
    );

    // The four changes are told, and the second sync shows one operation for each.
    const changes = story.slice(story.indexOf('Meanwhile'), story.indexOf('The next sync'));
    expect(changes.match(/^ {3}• /gm)).toHaveLength(4);
    const renamedTo = /uid \(\S+ -> (\S+)\)/.exec(changes)?.[1];
    const second = story.slice(story.indexOf('The next sync'));
    expect(second).toMatch(/\+\s+user\s+hana\.kobayashi\s+created/);
    expect(second).toMatch(new RegExp(`~\\s+user\\s+${renamedTo?.replace('.', '\\.')}\\s+updated: userName`));
    expect(second).toMatch(/-\s+user\s+\S+\s+disabled/);
    expect(second).toMatch(/±\s+group\s+Engineering - Platform\s+\+1 member/);
    expect(second).toMatch(/±\s+group\s+Customer Success - Support\s+−1 member/);
    expect(second).toMatch(/\d+ requests \(/);

    const users = counts.people - counts.disabled + 1;
    expect(story).toContain(
      `The target now holds ${users} users (${users - 1} active, 1 disabled) and ${counts.groups} groups`,
    );
    expect(io.stderrText()).toBe('');
    expect(io.allText()).not.toMatch(/Bearer\s+\S/);
  });
});

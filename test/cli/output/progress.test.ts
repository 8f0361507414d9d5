import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../../src/cli/output/progress';
import { Redactor } from '../../../src/cli/output/redactor';
import { styleFor } from '../../../src/cli/output/style';

function reporter(interactive: boolean) {
  let text = '';
  let now = Date.UTC(2025, 0, 31, 6, 0, 0);
  const progress = new ProgressReporter(
    {
      write: (chunk) => {
        text += chunk;
      },
      isTTY: interactive,
      columns: 120,
    },
    {
      interactive,
      style: styleFor({ isTTY: false }, {}),
      redactor: new Redactor(['s3cret-value']),
      now: () => now,
    },
  );
  return {
    progress,
    advance: (milliseconds: number) => {
      now += milliseconds;
    },
    text: () => text,
  };
}

describe('ProgressReporter', () => {
  it('writes time-stamped lines off a terminal: each phase, and every few seconds in between', () => {
    const { progress, advance, text } = reporter(false);
    progress.update({ phase: 'read', done: 0, total: 0 });
    advance(400);
    progress.update({ phase: 'read', done: 290, total: 290 });
    progress.update({ phase: 'users', done: 0, total: 200 });
    advance(1000);
    progress.update({ phase: 'users', done: 20, total: 200 });
    advance(5000);
    progress.update({ phase: 'users', done: 120, total: 200 });
    advance(2000);
    progress.update({ phase: 'users', done: 200, total: 200 });
    progress.end();

    expect(text().split('\n').filter(Boolean)).toEqual([
      '[06:00:00] reading the directory: 290 objects in 0.4 s',
      '[06:00:00] users: 200 to do',
      '[06:00:06] users: 120/200  60%  20/s  ETA 4.0 s',
      '[06:00:08] users: 200/200 in 8.0 s (25/s)',
    ]);
  });

  it('draws a bar in place on a terminal, then leaves one line per phase', () => {
    const { progress, advance, text } = reporter(true);
    progress.update({ phase: 'users', done: 0, total: 100 });
    advance(1000);
    progress.update({ phase: 'users', done: 50, total: 100 });
    expect(text()).toContain('\r\u001b[2K');
    expect(text()).toMatch(/users\s+█{12}░{12} 50\/100 {2}50% {2}50\/s {2}ETA 1\.0 s$/);
    advance(1000);
    progress.update({ phase: 'users', done: 100, total: 100 });
    progress.end();
    expect(text().endsWith('✓ users: 100/100 in 2.0 s (50/s)\n')).toBe(true);
  });

  it('marks a phase that did not finish, and blanks secrets out of notes', () => {
    const { progress, text } = reporter(true);
    progress.update({ phase: 'groups', done: 3, total: 10 });
    progress.note('token s3cret-value refused');
    progress.end();
    expect(text()).toContain('token [REDACTED] refused\n');
    expect(text()).not.toContain('s3cret-value');
    expect(text().endsWith('✗ groups: stopped at 3/10\n')).toBe(true);
  });
});

describe('ProgressReporter phases', () => {
  it('counts a phase as done when the next one starts (some phases report only their start)', () => {
    const { progress, advance, text } = reporter(false);
    progress.update({ phase: 'match', done: 0, total: 3 });
    advance(300);
    progress.update({ phase: 'users', done: 0, total: 1 });
    progress.update({ phase: 'users', done: 1, total: 1 });
    progress.end();
    expect(text()).toContain('finding existing accounts: 3/3 in 0.3 s');
    expect(text()).not.toContain('stopped');
  });
});

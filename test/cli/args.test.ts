import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_INTERVAL, parseCommandLine } from '../../src/cli/args';
import { describeDuration, parseDuration } from '../../src/cli/duration';
import { isUsageError } from '../../src/cli/errors/UsageError';

function usageErrorOf(argv: string[]): { message: string; command: string | undefined } {
  try {
    parseCommandLine(argv);
  } catch (error) {
    if (isUsageError(error)) return { message: error.message, command: error.command };
    throw error;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCommandLine', () => {
  it('reads sync with every option, in any order, short and long', () => {
    expect(
      parseCommandLine([
        'sync',
        '--dry-run',
        '-c',
        'p.json',
        '--full',
        '--allow-removals',
        '--json',
        '--log-file',
        'ops.jsonl',
      ]),
    ).toEqual({
      kind: 'sync',
      options: {
        config: 'p.json',
        dryRun: true,
        full: true,
        allowRemovals: true,
        json: true,
        logFile: 'ops.jsonl',
      },
    });
    expect(parseCommandLine(['sync', '--config=p.json'])).toEqual({
      kind: 'sync',
      options: {
        config: 'p.json',
        dryRun: false,
        full: false,
        allowRemovals: false,
        json: false,
        logFile: undefined,
      },
    });
  });

  it('reads plan, test-connection, watch (default interval 15 min) and demo', () => {
    expect(parseCommandLine(['plan', '-c', 'p.json', '--json'])).toEqual({
      kind: 'plan',
      options: { config: 'p.json', full: false, allowRemovals: false, json: true },
    });
    expect(parseCommandLine(['test-connection', '-c', 'p.json'])).toEqual({
      kind: 'test-connection',
      options: { config: 'p.json', json: false },
    });
    expect(parseCommandLine(['watch', '-c', 'p.json'])).toMatchObject({
      kind: 'watch',
      options: { interval: DEFAULT_WATCH_INTERVAL },
    });
    expect(parseCommandLine(['watch', '-c', 'p.json', '--interval', '90s'])).toMatchObject({
      options: { interval: 90_000 },
    });
    expect(parseCommandLine(['demo'])).toEqual({ kind: 'demo' });
  });

  it('answers --help and --version, overall and per command', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', command: undefined });
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help', command: undefined });
    expect(parseCommandLine(['sync', '--help'])).toEqual({ kind: 'help', command: 'sync' });
    expect(parseCommandLine(['help', 'watch'])).toEqual({ kind: 'help', command: 'watch' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-V'])).toEqual({ kind: 'version' });
  });

  it('refuses what it does not know, naming the command whose help applies', () => {
    expect(usageErrorOf(['snyc'])).toEqual({
      message: 'unknown command "snyc" (commands: sync, plan, test-connection, watch, sso, demo)',
      command: undefined,
    });
    expect(usageErrorOf(['sync', '--dryrun', '-c', 'x'])).toEqual({
      message: 'unknown option --dryrun',
      command: 'sync',
    });
    expect(usageErrorOf(['sync'])).toEqual({
      message: 'sync needs --config FILE (see docs/configuration.md)',
      command: 'sync',
    });
    expect(usageErrorOf(['plan', '-c', 'p.json', '--dry-run'])).toEqual({
      message: 'plan has no option --dry-run',
      command: 'plan',
    });
    expect(usageErrorOf(['sync', '-c', 'p.json', 'extra'])).toEqual({
      message: 'sync takes no argument "extra"',
      command: 'sync',
    });
    expect(usageErrorOf(['sync', '--config'])).toEqual({
      message: '--config needs a value',
      command: 'sync',
    });
    expect(usageErrorOf(['watch', '-c', 'p.json', '--interval', 'often']).message).toBe(
      '--interval "often" is not a duration such as 90s, 15m or 1h',
    );
    expect(usageErrorOf(['watch', '-c', 'p.json', '--interval', '200ms']).message).toBe(
      '--interval must be at least 1 s',
    );
  });
});

describe('durations', () => {
  it.each([
    ['60s', 60_000],
    ['15m', 900_000],
    ['1h30m', 5_400_000],
    ['45', 45_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    [' 2M ', 120_000],
  ])('%s is %i ms', (text, milliseconds) => {
    expect(parseDuration(text)).toBe(milliseconds);
  });

  it.each(['', 'soon', '5x', '-5s', '1h 30m', 'm5'])('"%s" is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('describes durations for people', () => {
    expect(describeDuration(900_000)).toBe('15 min');
    expect(describeDuration(5_430_000)).toBe('1 h 30 min 30 s');
    expect(describeDuration(250)).toBe('250 ms');
  });
});

/**
 * The command line's documentation kept in step with the code: every configuration field the
 * schema accepts is in docs/configuration.md (and nothing the schema does not accept), every option
 * of every command and every exit code is in docs/cli.md.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFieldPaths } from '../../src/cli/config/fields';
import { ExitCode } from '../../src/cli/exit-codes';
import { COMMAND_HELP, COMMANDS, OVERVIEW } from '../../src/cli/help';
import { REPO_ROOT } from './helpers';

const read = (name: string) => readFile(path.join(REPO_ROOT, 'docs', name), 'utf8');

/** Every `code span` of a markdown text. */
function codeSpans(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? ''));
}

describe('docs/configuration.md', () => {
  it('documents every field of the configuration schema', async () => {
    const spans = codeSpans(await read('configuration.md'));
    const missing = configFieldPaths().filter((field) => !spans.has(field));
    expect(missing).toEqual([]);
  });

  it('documents no field the schema does not have', async () => {
    const fields = new Set(configFieldPaths());
    const topLevel = new Set(configFieldPaths().filter((field) => !field.includes('.')));
    const documented = [...codeSpans(await read('configuration.md'))].filter(
      (span) => /^[A-Za-z]+(?:\.[A-Za-z]+)+$/.test(span) && topLevel.has(span.split('.')[0] ?? ''),
    );
    expect(documented.length).toBeGreaterThan(50);
    expect(documented.filter((span) => !fields.has(span))).toEqual([]);
  });
});

describe('docs/cli.md', () => {
  it('has a section for every command, with every option its help lists', async () => {
    const cli = await read('cli.md');
    for (const command of COMMANDS) {
      expect(cli, command).toContain(`## \`${command}\``);
      const section = cli.slice(cli.indexOf(`## \`${command}\``)).split(/\n## /)[0] ?? '';
      // The options listed in the help's Options block (one per line), --help aside.
      const options = [...COMMAND_HELP[command].matchAll(/^ {2}(?:-\w, | {4})(--[a-z-]+)/gm)]
        .map((match) => match[1])
        .filter((option) => option !== '--help');
      if (command !== 'demo') expect(options.length, command).toBeGreaterThan(0);
      for (const option of options) expect(section, `${command} ${option}`).toContain(`\`${option}`);
    }
  });

  it('explains every exit code, as the help does', async () => {
    const cli = await read('cli.md');
    const table = cli.slice(cli.indexOf('## Exit codes'));
    for (const code of Object.values(ExitCode)) {
      expect(table).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
      expect(OVERVIEW).toMatch(new RegExp(`^ {2}${code} {2}\\S`, 'm'));
    }
  });
});

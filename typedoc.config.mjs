// @ts-check
import { OptionDefaults } from 'typedoc';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  entryPoints: ['src/index.ts', 'src/testing/index.ts', 'src/sso/index.ts'],
  out: 'docs/api',
  name: 'aquera-provisioner',
  readme: 'README.md',
  excludePrivate: true,
  disableSources: true,
  excludeInternal: true,
  treatWarningsAsErrors: true,
  // `@unit` documents the unit of a numeric option (ms, s, entries), as STYLE.md asks.
  blockTags: [...OptionDefaults.blockTags, '@unit'],
  validation: { notExported: true, invalidLink: true, notDocumented: false },
  tsconfig: 'tsconfig.json',
};

export default config;

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

function load(file: string): {
  format: string;
  root: string[];
  testing: string[];
  sso: string[];
  ssoLink: string;
  ssoErrorName: string;
  validationErrorName: string;
} {
  // The package refers to itself by name through its `exports` map, exactly as a user's code would.
  return JSON.parse(execFileSync(process.execPath, [file], { cwd: here, encoding: 'utf8' }));
}

describe('built package', () => {
  it('has been built (npm test runs the build first)', () => {
    expect(existsSync(built)).toBe(true);
  });

  it('loads as ESM and as CommonJS with the same exports', () => {
    const esm = load('fixture.mjs');
    const cjs = load('fixture.cjs');
    expect(esm.format).toBe('esm');
    expect(cjs.format).toBe('cjs');
    expect(esm.root).toEqual(cjs.root);
    expect(esm.testing).toEqual(cjs.testing);
    expect(esm.root).toContain('SCHEMAS');
    expect(esm.root).toContain('ScimValidationError');
    expect(esm.validationErrorName).toBe('ScimValidationError');
    expect(cjs.validationErrorName).toBe('ScimValidationError');
  });

  it('loads the sso subpath both ways, and keeps it out of the core entry', () => {
    const esm = load('fixture.mjs');
    const cjs = load('fixture.cjs');
    expect(esm.sso).toEqual(cjs.sso);
    expect(esm.sso).toEqual(
      expect.arrayContaining(['readSamlMetadata', 'runSsoChecks', 'pingFederateIdpInitiatedUrl']),
    );
    expect(esm.root).not.toContain('readSamlMetadata');
    expect(esm.ssoLink).toBe(cjs.ssoLink);
    expect(new URL(esm.ssoLink).searchParams.get('spEntityId')).toBe('urn:a b');
    expect(esm.ssoErrorName).toBe('SamlMetadataError');
    expect(cjs.ssoErrorName).toBe('SamlMetadataError');
  });
});

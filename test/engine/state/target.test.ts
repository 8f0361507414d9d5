import { describe, expect, it } from 'vitest';
import { targetFingerprint } from '../../../src/engine/state/target';

describe('targetFingerprint', () => {
  it('gives one endpoint written several ways the same fingerprint', () => {
    const expected = targetFingerprint('https://gateway.aquera.com/scim/v2');
    for (const spelling of [
      'https://Gateway.Aquera.com/scim/v2/',
      'https://gateway.aquera.com:443/scim/v2',
      'https://gateway.aquera.com/scim/v2?tenant=ignored#x',
      'https://svc:secret@gateway.aquera.com/scim/v2',
    ]) {
      expect(targetFingerprint(spelling)).toBe(expected);
    }
  });

  it('tells apart other hosts, ports, paths and schemes', () => {
    const fingerprints = new Set(
      [
        'https://gateway.aquera.com/scim/v2',
        'https://gateway.aquera.com/scim/v2/tenant-b',
        'https://gateway.aquera.com:8443/scim/v2',
        'http://gateway.aquera.com/scim/v2',
        'https://other.aquera.com/scim/v2',
      ].map(targetFingerprint),
    );
    expect(fingerprints.size).toBe(5);
  });

  it('does not spell out the URL or its credentials', () => {
    const fingerprint = targetFingerprint('https://svc:s3cr3t@gateway.aquera.com/scim/v2');
    expect(fingerprint).not.toContain('aquera');
    expect(fingerprint).not.toContain('s3cr3t');
  });
});

import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactString, redactUrl, redactValue } from '../../src/internal/redact';

describe('redactString', () => {
  it('blanks Bearer and Basic credentials wherever they appear', () => {
    const text = 'sent Authorization: Bearer eyJhbGciOi.J9.abc and then basic dXNlcjpwYXNz';
    const out = redactString(text);
    expect(out).not.toContain('eyJhbGciOi');
    expect(out).not.toContain('dXNlcjpwYXNz');
    expect(out).toContain(`Bearer ${REDACTED}`);
  });

  it('blanks each given secret, even inside other words', () => {
    expect(redactString('the service echoed xx-s3cr3t-token-xx back', ['s3cr3t-token'])).toBe(
      `the service echoed xx-${REDACTED}-xx back`,
    );
  });

  it('ignores secrets shorter than four characters so that common words survive', () => {
    expect(redactString('a b c', ['a'])).toBe('a b c');
  });

  it('blanks passwords in URLs and secret query parameters', () => {
    const out = redactUrl('https://admin:hunter22@scim.example.com/v2/Users?access_token=abc123&count=1');
    expect(out).toBe(`https://admin:${REDACTED}@scim.example.com/v2/Users?access_token=${REDACTED}&count=1`);
  });

  it('leaves a URL without credentials alone', () => {
    const url = 'https://scim.example.com:8443/v2/Users?filter=userName%20eq%20%22a%40b%22';
    expect(redactUrl(url)).toBe(url);
  });
});

describe('redactHeaders', () => {
  it('replaces secret headers in any case and keeps the others', () => {
    const headers = {
      Authorization: 'Bearer abc',
      COOKIE: 'sid=1',
      'X-Api-Key': 'k',
      Accept: 'application/scim+json',
    };
    expect(redactHeaders(headers)).toEqual({
      Authorization: REDACTED,
      COOKIE: REDACTED,
      'X-Api-Key': REDACTED,
      Accept: 'application/scim+json',
    });
  });

  it('does not write to the given object', () => {
    const headers = { authorization: 'Basic dXNlcjpwYXNz' };
    redactHeaders(headers);
    expect(headers.authorization).toBe('Basic dXNlcjpwYXNz');
  });
});

describe('redactValue', () => {
  it('replaces secret attributes at any depth and copies the rest', () => {
    const input = {
      userName: 'bjensen',
      password: 'p@ssw0rd!',
      nested: { client_secret: 'cs', list: [{ token: 't' }, 'Bearer abc.def'] },
    };
    const out = redactValue(input) as typeof input;
    expect(out).toEqual({
      userName: 'bjensen',
      password: REDACTED,
      nested: { client_secret: REDACTED, list: [{ token: REDACTED }, `Bearer ${REDACTED}`] },
    });
    expect(input.password).toBe('p@ssw0rd!');
    expect(out.nested).not.toBe(input.nested);
  });

  it('survives cycles and errors', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(redactValue(cyclic)).toEqual({ name: 'x', self: '[Circular]' });
    expect(redactValue(new Error('token Bearer zzzz'))).toEqual({
      name: 'Error',
      message: `token Bearer ${REDACTED}`,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { proxyConfiguredFor } from '../../src/client/proxy-environment';

const url = 'https://scim.example.com:8443/v2';

describe('proxyConfiguredFor (the rules axios follows, so a configured proxy keeps working)', () => {
  it('is false with no proxy variable', () => {
    expect(proxyConfiguredFor(url, {})).toBe(false);
    expect(proxyConfiguredFor(url, { HTTPS_PROXY: '' })).toBe(false);
  });

  it.each([
    ['HTTPS_PROXY', url],
    ['https_proxy', url],
    ['ALL_PROXY', url],
    ['npm_config_proxy', url],
    ['HTTP_PROXY', 'http://scim.example.com/v2'],
  ])('is true with %s set', (name, target) => {
    expect(proxyConfiguredFor(target, { [name]: 'http://proxy.corp:3128' })).toBe(true);
  });

  it('ignores the proxy of the other protocol', () => {
    expect(proxyConfiguredFor(url, { HTTP_PROXY: 'http://proxy.corp:3128' })).toBe(false);
  });

  it.each([
    ['*', false],
    ['scim.example.com', false],
    ['.example.com', false],
    ['*.example.com', false],
    ['scim.example.com:8443', false],
    ['scim.example.com:443', true],
    ['other.example.com', true],
    ['example.org, localhost', true],
  ])('NO_PROXY=%s gives %s', (noProxy, expected) => {
    expect(proxyConfiguredFor(url, { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: noProxy })).toBe(
      expected,
    );
  });

  it('is false for a URL it cannot read', () => {
    expect(proxyConfiguredFor('not a url', { HTTPS_PROXY: 'http://proxy.corp:3128' })).toBe(false);
  });
});

/**
 * The link builders: the exact PingFederate and PingOne endpoints and parameter names, values
 * that survive the trip (parsing the URL back gives the input exactly), and typed errors naming
 * the malformed option.
 */
import { describe, expect, it } from 'vitest';
import { isSsoLinkError } from '../../../src/sso/errors/SsoLinkError';
import { pingFederateIdpInitiatedUrl } from '../../../src/sso/links/pingfederate';
import { PINGONE_AUTH_HOSTS, pingOneIdpInitiatedUrl } from '../../../src/sso/links/pingone';
import { spInitiatedUrl } from '../../../src/sso/links/sp-initiated';

const ENVIRONMENT = '2b7a3c4d-1111-4abc-8def-0123456789ab';

/** Entity ids and deep links that break naive string concatenation. */
const AWKWARD = [
  'https://app.example.com/saml metadata',
  'urn:app:a&b=c',
  'https://app.example.com/sso#fragment',
  'urn:app:1+1=2',
  'urn:app:café-東京-Ünïcödé',
  'https://app.example.com/?a=1&b=2;c=%41',
  '  leading and trailing spaces  ',
];

/** The field an SsoLinkError names, or a failure when none is thrown. */
function failingField(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isSsoLinkError(error)) return error.field;
    throw error;
  }
  throw new Error('expected an SsoLinkError');
}

describe('pingFederateIdpInitiatedUrl', () => {
  it('builds https://HOST:PORT/idp/startSSO.ping with PartnerSpId and TargetResource', () => {
    const url = new URL(
      pingFederateIdpInitiatedUrl({
        host: 'pf.example.com:9031',
        partnerSpId: 'https://app.example.com/saml',
        targetResource: 'https://app.example.com/reports?year=2025',
      }),
    );
    expect(url.origin).toBe('https://pf.example.com:9031');
    expect(url.pathname).toBe('/idp/startSSO.ping');
    expect([...url.searchParams.keys()]).toEqual(['PartnerSpId', 'TargetResource']);
    expect(url.searchParams.get('TargetResource')).toBe('https://app.example.com/reports?year=2025');
  });

  it('leaves TargetResource out when not given, and the default port out of the URL', () => {
    const href = pingFederateIdpInitiatedUrl({ host: 'sso.example.com:443', partnerSpId: 'urn:app' });
    expect(href).toBe('https://sso.example.com/idp/startSSO.ping?PartnerSpId=urn%3Aapp');
  });

  it.each(AWKWARD)('encodes %j so that parsing the URL gives it back exactly', (value) => {
    const url = new URL(
      pingFederateIdpInitiatedUrl({ host: 'pf.example.com', partnerSpId: value, targetResource: value }),
    );
    expect(url.searchParams.get('PartnerSpId')).toBe(value);
    expect(url.searchParams.get('TargetResource')).toBe(value);
    expect(url.searchParams.size).toBe(2);
    expect(url.hash).toBe('');
  });

  it('accepts IPv4, IPv6 and international host names', () => {
    expect(new URL(pingFederateIdpInitiatedUrl({ host: '10.0.0.5:9031', partnerSpId: 'a' })).host).toBe(
      '10.0.0.5:9031',
    );
    expect(new URL(pingFederateIdpInitiatedUrl({ host: '[2001:db8::1]:9031', partnerSpId: 'a' })).host).toBe(
      '[2001:db8::1]:9031',
    );
    expect(new URL(pingFederateIdpInitiatedUrl({ host: '2001:db8::1', partnerSpId: 'a' })).hostname).toBe(
      '[2001:db8::1]',
    );
    expect(new URL(pingFederateIdpInitiatedUrl({ host: 'bücher.example', partnerSpId: 'a' })).hostname).toBe(
      'xn--bcher-kva.example',
    );
  });

  it.each([
    ['', 'empty'],
    ['https://pf.example.com', 'a scheme'],
    ['pf.example.com/idp', 'a path'],
    ['admin:secret@pf.example.com', 'user info'],
    ['pf.example.com:0', 'port 0'],
    ['pf.example.com:65536', 'a port above 65535'],
    ['pf.example.com:abc', 'a port that is not a number'],
    ['pf example.com', 'a space'],
    ['-pf.example.com', 'a label starting with a hyphen'],
    ['999.1.1.1', 'a malformed IPv4 address'],
    ['[::1', 'an unclosed IPv6 bracket'],
  ])('refuses host %j (%s), naming host', (host) => {
    expect(failingField(() => pingFederateIdpInitiatedUrl({ host, partnerSpId: 'urn:app' }))).toBe('host');
  });

  it('does not put a refused host (which may hold a password) in the message', () => {
    try {
      pingFederateIdpInitiatedUrl({ host: 'admin:hunter2@pf.example.com', partnerSpId: 'urn:app' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('refuses an empty or blank entity id, and an empty target', () => {
    expect(failingField(() => pingFederateIdpInitiatedUrl({ host: 'pf', partnerSpId: '' }))).toBe(
      'partnerSpId',
    );
    expect(failingField(() => pingFederateIdpInitiatedUrl({ host: 'pf', partnerSpId: '   ' }))).toBe(
      'partnerSpId',
    );
    expect(
      failingField(() => pingFederateIdpInitiatedUrl({ host: 'pf', partnerSpId: 'x'.repeat(1025) })),
    ).toBe('partnerSpId');
    expect(
      failingField(() => pingFederateIdpInitiatedUrl({ host: 'pf', partnerSpId: 'a', targetResource: '' })),
    ).toBe('targetResource');
  });
});

describe('pingOneIdpInitiatedUrl', () => {
  it.each(Object.entries(PINGONE_AUTH_HOSTS))('builds the %s region link on %s', (region, host) => {
    const url = new URL(
      pingOneIdpInitiatedUrl({
        region: region as keyof typeof PINGONE_AUTH_HOSTS,
        environmentId: ENVIRONMENT,
        spEntityId: 'urn:app',
      }),
    );
    expect(url.origin).toBe(host);
    expect(url.pathname).toBe(`/${ENVIRONMENT}/saml20/idp/startsso`);
    expect(url.searchParams.get('spEntityId')).toBe('urn:app');
    expect(url.searchParams.has('applicationUrl')).toBe(false);
  });

  it('knows the documented regions', () => {
    expect(Object.keys(PINGONE_AUTH_HOSTS).sort()).toEqual(['asia', 'ca', 'com', 'com.au', 'eu', 'sg']);
    expect(PINGONE_AUTH_HOSTS['com.au']).toBe('https://auth.pingone.com.au');
  });

  it.each(AWKWARD)('encodes %j in spEntityId and applicationUrl, and gives it back exactly', (value) => {
    const url = new URL(
      pingOneIdpInitiatedUrl({
        region: 'eu',
        environmentId: ENVIRONMENT,
        spEntityId: value,
        applicationUrl: value,
      }),
    );
    expect(url.searchParams.get('spEntityId')).toBe(value);
    expect(url.searchParams.get('applicationUrl')).toBe(value);
    expect(url.searchParams.size).toBe(2);
  });

  it('takes a custom-domain auth host, with or without the environment id', () => {
    expect(
      pingOneIdpInitiatedUrl({
        authHost: 'https://sso.example.com/',
        environmentId: ENVIRONMENT,
        spEntityId: 'urn:app',
      }),
    ).toBe(`https://sso.example.com/${ENVIRONMENT}/saml20/idp/startsso?spEntityId=urn%3Aapp`);
    expect(pingOneIdpInitiatedUrl({ authHost: 'https://sso.example.com', spEntityId: 'urn:app' })).toBe(
      'https://sso.example.com/saml20/idp/startsso?spEntityId=urn%3Aapp',
    );
  });

  it.each([
    [{ region: 'us' }, 'region'],
    [{ region: 'toString' }, 'region'],
    [{}, 'region'],
    [{ region: 'eu', authHost: 'https://sso.example.com' }, 'authHost'],
    [{ authHost: 'sso.example.com' }, 'authHost'],
    [{ authHost: 'http://sso.example.com' }, 'authHost'],
    [{ authHost: 'https://sso.example.com/env' }, 'authHost'],
    [{ authHost: 'https://user:pw@sso.example.com' }, 'authHost'],
    [{ region: 'eu', environmentId: 'not-a-uuid' }, 'environmentId'],
    [{ region: 'eu', environmentId: `${ENVIRONMENT}/../x` }, 'environmentId'],
    [{ region: 'eu', environmentId: undefined }, 'environmentId'],
    [{ region: 'eu', spEntityId: '' }, 'spEntityId'],
    [{ region: 'eu', applicationUrl: ' ' }, 'applicationUrl'],
  ])('refuses %j, naming %s', (overrides, field) => {
    const options = { environmentId: ENVIRONMENT, spEntityId: 'urn:app', ...overrides } as Parameters<
      typeof pingOneIdpInitiatedUrl
    >[0];
    expect(failingField(() => pingOneIdpInitiatedUrl(options))).toBe(field);
  });
});

describe('spInitiatedUrl', () => {
  it('adds the target as RelayState and keeps the sign-in URL’s own query', () => {
    const url = new URL(
      spInitiatedUrl({
        signInUrl: 'https://app.example.com/saml/login?tenant=acme',
        relayState: '/reports?year=2025',
      }),
    );
    expect(url.pathname).toBe('/saml/login');
    expect(url.searchParams.get('tenant')).toBe('acme');
    expect(url.searchParams.get('RelayState')).toBe('/reports?year=2025');
  });

  it('returns the sign-in URL unchanged without a target', () => {
    expect(spInitiatedUrl({ signInUrl: 'https://app.example.com/saml/login' })).toBe(
      'https://app.example.com/saml/login',
    );
  });

  it.each(AWKWARD)('encodes %j in a custom parameter and gives it back exactly', (value) => {
    const url = new URL(
      spInitiatedUrl({
        signInUrl: 'https://app.example.com/login',
        relayState: value,
        relayStateParameter: 'target',
      }),
    );
    expect(url.searchParams.get('target')).toBe(value);
    expect(url.searchParams.has('RelayState')).toBe(false);
  });

  it('refuses a target the application cannot take, and malformed sign-in URLs', () => {
    expect(
      failingField(() =>
        spInitiatedUrl({
          signInUrl: 'https://app.example.com/login',
          relayState: '/x',
          relayStateParameter: null,
        }),
      ),
    ).toBe('relayState');
    expect(spInitiatedUrl({ signInUrl: 'https://app.example.com/login', relayStateParameter: null })).toBe(
      'https://app.example.com/login',
    );
    expect(failingField(() => spInitiatedUrl({ signInUrl: '/login' }))).toBe('signInUrl');
    expect(failingField(() => spInitiatedUrl({ signInUrl: 'javascript:alert(1)' }))).toBe('signInUrl');
    expect(failingField(() => spInitiatedUrl({ signInUrl: 'https://a:b@app.example.com/login' }))).toBe(
      'signInUrl',
    );
    expect(failingField(() => spInitiatedUrl({ signInUrl: 'https://app.example.com/login#x' }))).toBe(
      'signInUrl',
    );
    expect(
      failingField(() =>
        spInitiatedUrl({ signInUrl: 'https://app.example.com/login', relayStateParameter: '' }),
      ),
    ).toBe('relayStateParameter');
  });
});

describe('the documented examples', () => {
  it('give the URLs the TSDoc shows', () => {
    expect(
      pingFederateIdpInitiatedUrl({
        host: 'pf.example.com:9031',
        partnerSpId: 'https://app.example.com/saml',
        targetResource: 'https://app.example.com/reports?year=2025',
      }),
    ).toBe(
      'https://pf.example.com:9031/idp/startSSO.ping?PartnerSpId=https%3A%2F%2Fapp.example.com%2Fsaml&TargetResource=https%3A%2F%2Fapp.example.com%2Freports%3Fyear%3D2025',
    );
    expect(
      pingOneIdpInitiatedUrl({
        region: 'eu',
        environmentId: ENVIRONMENT,
        spEntityId: 'https://app.example.com/saml',
      }),
    ).toBe(
      `https://auth.pingone.eu/${ENVIRONMENT}/saml20/idp/startsso?spEntityId=https%3A%2F%2Fapp.example.com%2Fsaml`,
    );
    expect(
      spInitiatedUrl({ signInUrl: 'https://app.example.com/saml/login', relayState: '/reports?year=2025' }),
    ).toBe('https://app.example.com/saml/login?RelayState=%2Freports%3Fyear%3D2025');
  });
});

/**
 * The certificate check on metadata with certificates generated at test time: expired, expiring
 * within the window, far, not yet valid, unreadable; a rollover; the report's testConnection shape.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkSsoCertificates } from '../../../src/sso/checks/certificates';
import type { SsoCheck, SsoFindingCode } from '../../../src/sso/checks/report';
import { runSsoChecks } from '../../../src/sso/checks/run';
import { readSamlMetadata } from '../../../src/sso/metadata/read';
import type { SamlEntity } from '../../../src/sso/metadata/types';
import { daysFrom, makeCertificate, type TestCertificate } from '../support/certificates';
import {
  aqueraSpMetadata,
  BINDING_POST,
  NAMEID_EMAIL,
  pingFederateIdpMetadata,
  pingOneIdpMetadata,
} from '../support/metadata';

const now = new Date();
let in10: TestCertificate;
let in40: TestCertificate;
let in3650: TestCertificate;
let expired: TestCertificate;
let future: TestCertificate;

beforeAll(async () => {
  [in10, in40, in3650, expired, future] = await Promise.all([
    makeCertificate('in10.example.com', daysFrom(now, -355), daysFrom(now, 10)),
    makeCertificate('in40.example.com', daysFrom(now, -325), daysFrom(now, 40)),
    makeCertificate('in3650.example.com', daysFrom(now, -1), daysFrom(now, 3650)),
    makeCertificate('expired.example.com', daysFrom(now, -400), daysFrom(now, -5)),
    makeCertificate('future.example.com', daysFrom(now, 20), daysFrom(now, 400)),
  ]);
});

function sp(signing: readonly string[]): SamlEntity {
  return readSamlMetadata(
    aqueraSpMetadata({
      entityId: 'https://app.example.com/saml',
      acs: [{ binding: BINDING_POST, location: 'https://app.example.com/acs', index: 0 }],
      signing,
      nameIdFormats: [NAMEID_EMAIL],
    }),
  );
}

function pingFederate(signing: readonly string[]): SamlEntity {
  return readSamlMetadata(
    pingFederateIdpMetadata({ entityId: 'pf.example.com', ssoBase: 'https://pf.example.com', signing }),
  );
}

function findingCodes(check: SsoCheck | undefined): [string, SsoFindingCode][] {
  return (check?.findings ?? []).map((finding) => [finding.level, finding.code]);
}

describe('checkSsoCertificates', () => {
  it('reports an SP certificate expiring within 30 days as a warning, and a far one not at all', () => {
    const report = checkSsoCertificates({ sp: sp([in10.base64]), idp: pingFederate([in3650.base64]), now });
    expect(report.ok).toBe(true);
    const [spCheck, idpCheck] = report.checks;
    expect(spCheck?.name).toBe('spCertificates');
    expect(findingCodes(spCheck)).toEqual([['warning', 'certificateExpiring']]);
    expect(spCheck?.findings[0]?.certificate).toMatchObject({
      role: 'sp',
      subject: 'CN=in10.example.com, O=Test',
    });
    expect(spCheck?.findings[0]?.certificate?.notAfter.getTime()).toBe(in10.notAfter.getTime());
    expect(spCheck?.findings[0]?.message).toContain('in 10 days');
    expect(findingCodes(idpCheck)).toEqual([]);
    expect(idpCheck?.detail).toContain(in3650.notAfter.toISOString().slice(0, 10));
  });

  it('takes another window: 40-day certificates are reported within 45 days, not within 30', () => {
    expect(findingCodes(checkSsoCertificates({ idp: pingFederate([in40.base64]), now }).checks[1])).toEqual(
      [],
    );
    expect(
      findingCodes(checkSsoCertificates({ idp: pingFederate([in40.base64]), now, withinDays: 45 }).checks[1]),
    ).toEqual([['warning', 'certificateExpiring']]);
    expect(() => checkSsoCertificates({ withinDays: -1 })).toThrow(RangeError);
  });

  it('fails on an expired IdP certificate with no successor', () => {
    const report = checkSsoCertificates({ idp: pingFederate([expired.base64]), now });
    expect(report.ok).toBe(false);
    expect(findingCodes(report.checks[1])).toEqual([['error', 'certificateExpired']]);
    expect(report.checks[1]?.detail).toContain('none valid now');
  });

  it('treats an expired or expiring certificate beside a long-lived successor as a rollover', () => {
    const report = checkSsoCertificates({
      idp: pingFederate([expired.base64, in10.base64, in3650.base64]),
      now,
    });
    expect(report.ok).toBe(true);
    expect(findingCodes(report.checks[1])).toEqual([
      ['warning', 'certificateExpired'],
      ['info', 'certificateExpiring'],
    ]);
  });

  it('fails on a certificate not valid yet, and on an unreadable one', () => {
    expect(findingCodes(checkSsoCertificates({ sp: sp([future.base64]), now }).checks[0])).toContainEqual([
      'error',
      'certificateNotYetValid',
    ]);
    const report = checkSsoCertificates({ sp: sp([in3650.base64, 'AAAA']), now });
    expect(report.ok).toBe(false);
    expect(findingCodes(report.checks[0])).toEqual([['error', 'certificateInvalid']]);
  });

  it('requires an IdP signing certificate, and an SP one only when the IdP wants signed requests', () => {
    expect(findingCodes(checkSsoCertificates({ idp: pingFederate([]), now }).checks[1])).toEqual([
      ['error', 'noSigningCertificate'],
    ]);
    expect(findingCodes(checkSsoCertificates({ sp: sp([]), now }).checks[0])).toEqual([
      ['info', 'noSigningCertificate'],
    ]);
    const strictIdp = readSamlMetadata(
      pingOneIdpMetadata({
        entityId: 'urn:p1',
        ssoBase: 'https://auth.pingone.eu/x',
        signing: [in3650.base64],
      }).replace('WantAuthnRequestsSigned="false"', 'WantAuthnRequestsSigned="true"'),
    );
    expect(findingCodes(checkSsoCertificates({ sp: sp([]), idp: strictIdp, now }).checks[0])).toEqual([
      ['error', 'noSigningCertificate'],
    ]);
  });

  it('has the testConnection shape: ok, and checks with name, ok, skipped, detail, durationMs', () => {
    const report = checkSsoCertificates({ sp: sp([in3650.base64]) });
    expect(Object.keys(report).sort()).toEqual(['checks', 'ok']);
    for (const check of report.checks) {
      expect(typeof check.name).toBe('string');
      expect(typeof check.ok).toBe('boolean');
      expect(typeof check.detail).toBe('string');
      expect(check.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(report.checks[1]).toMatchObject({ name: 'idpCertificates', ok: true, skipped: true });
  });
});

describe('runSsoChecks', () => {
  it('runs the NameID and certificate checks together, failing if any fails', () => {
    const report = runSsoChecks({
      sp: sp([in3650.base64]),
      idp: pingFederate([in10.base64]),
      userMapping: { userName: 'sAMAccountName' },
      userNames: ['ann', 'ANN'],
      now,
    });
    expect(report.checks.map((check) => [check.name, check.ok])).toEqual([
      ['nameIdFormat', false],
      ['userNames', false],
      ['spCertificates', true],
      ['idpCertificates', true],
    ]);
    expect(report.ok).toBe(false);
    expect(findingCodes(report.checks[3])).toEqual([['warning', 'certificateExpiring']]);
  });
});

/**
 * The NameID check against the engine's real default mappings and SP metadata read from documents:
 * the two failures people meet after provisioning works (emailAddress NameIDs with userName from
 * sAMAccountName; userNames equal but for case), and the rules around them.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVE_DIRECTORY_USER_MAPPING, LDAPV3_USER_MAPPING } from '../../../src/engine/mapping/defaults';
import type { AttributeMapping } from '../../../src/engine/mapping/types';
import { checkNameId, NAMEID_FORMATS } from '../../../src/sso/checks/nameid';
import type { SsoCheckReport, SsoFindingCode } from '../../../src/sso/checks/report';
import { readSamlMetadata } from '../../../src/sso/metadata/read';
import type { SamlEntity } from '../../../src/sso/metadata/types';
import { aqueraSpMetadata, BINDING_POST } from '../support/metadata';

function spAsking(...nameIdFormats: string[]): SamlEntity {
  return readSamlMetadata(
    aqueraSpMetadata({
      entityId: 'https://app.example.com/saml',
      acs: [{ binding: BINDING_POST, location: 'https://app.example.com/acs', index: 0 }],
      signing: [],
      nameIdFormats,
    }),
    { role: 'sp' },
  );
}

function codes(report: SsoCheckReport, level?: 'error' | 'warning' | 'info'): SsoFindingCode[] {
  return report.checks
    .flatMap((check) => check.findings)
    .filter((finding) => level === undefined || finding.level === level)
    .map((finding) => finding.code);
}

const AD_BY_SAM: AttributeMapping = { ...ACTIVE_DIRECTORY_USER_MAPPING, userName: 'sAMAccountName' };
const AD_BY_MAIL: AttributeMapping = {
  ...ACTIVE_DIRECTORY_USER_MAPPING,
  userName: { from: 'mail', transform: 'trim' },
};

describe('checkNameId: emailAddress NameIDs', () => {
  it('catches userName mapped from sAMAccountName when the SP asks for emailAddress', () => {
    const report = checkNameId({ sp: spAsking(NAMEID_FORMATS.emailAddress), userMapping: AD_BY_SAM });
    expect(report.ok).toBe(false);
    const check = report.checks.find((entry) => entry.name === 'nameIdFormat');
    expect(check?.ok).toBe(false);
    expect(check?.findings[0]).toMatchObject({ level: 'error', code: 'nameIdFormatMismatch' });
    expect(check?.findings[0]?.message).toContain('sAMAccountName');
  });

  it('catches the LDAPv3 default (uid) as well, whatever the case of the attribute name', () => {
    expect(
      codes(
        checkNameId({ sp: spAsking(NAMEID_FORMATS.emailAddress), userMapping: LDAPV3_USER_MAPPING }),
        'error',
      ),
    ).toEqual(['nameIdFormatMismatch']);
    expect(
      codes(
        checkNameId({
          sp: spAsking(NAMEID_FORMATS.emailAddress),
          userMapping: { userName: 'SAMACCOUNTNAME' },
        }),
        'error',
      ),
    ).toEqual(['nameIdFormatMismatch']);
  });

  it('catches sample userNames that are not addresses, showing a few', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.emailAddress),
      userMapping: { userName: 'customLogin' },
      userNames: ['ann@example.com', 'bob', 'carol@example.com', 'dave smith@example.com'],
    });
    expect(report.ok).toBe(false);
    const finding = report.checks[0]?.findings[0];
    expect(finding?.code).toBe('nameIdFormatMismatch');
    expect(finding?.examples).toEqual(['bob', 'dave smith@example.com']);
    expect(finding?.message).toContain('2 of 4');
  });

  it('passes userName from mail, and with a sample of addresses', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.emailAddress),
      userMapping: AD_BY_MAIL,
      userNames: ['ann@example.com', 'bob@example.com'],
    });
    expect(report.ok).toBe(true);
    expect(codes(report)).toEqual([]);
    expect(report.checks.map((check) => check.name)).toEqual(['nameIdFormat', 'userNames']);
  });

  it('warns about the AD default (userPrincipalName), which often differs from mail', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.emailAddress),
      userMapping: ACTIVE_DIRECTORY_USER_MAPPING,
    });
    expect(report.ok).toBe(true);
    expect(codes(report, 'warning')).toEqual(['userPrincipalNameAsEmail']);
  });

  it('says it cannot tell for an unknown attribute without a sample', () => {
    expect(
      codes(checkNameId({ sp: spAsking(NAMEID_FORMATS.emailAddress), userMapping: { userName: 'login' } })),
    ).toEqual(['emailFormatUnverified']);
  });

  it('points at another format the SP accepts when the preferred one does not fit', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.emailAddress, NAMEID_FORMATS.unspecified),
      userMapping: AD_BY_SAM,
    });
    expect(report.ok).toBe(false);
    const hint = report.checks[0]?.findings.find((finding) => finding.level === 'info');
    expect(hint?.message).toContain(NAMEID_FORMATS.unspecified);
  });
});

describe('checkNameId: userNames unique case-insensitively', () => {
  it('lists every clash', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.unspecified),
      userMapping: AD_BY_SAM,
      userNames: ['jdoe', 'JDoe', 'asmith', 'bwayne', 'ASmith', 'jdoe2', 'JDOE'],
    });
    expect(report.ok).toBe(false);
    const check = report.checks.find((entry) => entry.name === 'userNames');
    expect(check?.ok).toBe(false);
    expect(check?.findings[0]?.code).toBe('userNameNotUniqueCaseInsensitive');
    expect(check?.findings[0]?.clashes).toEqual([
      ['jdoe', 'JDoe', 'JDOE'],
      ['asmith', 'ASmith'],
    ]);
    expect(check?.detail).toContain('7 userNames');
  });

  it('treats canonically equal Unicode forms as the same name', () => {
    const composed = 'jos\u00e9';
    const decomposed = 'jose\u0301';
    const report = checkNameId({
      sp: spAsking(),
      userMapping: AD_BY_SAM,
      userNames: [composed, decomposed.toUpperCase()],
    });
    expect(codes(report, 'error')).toEqual(['userNameNotUniqueCaseInsensitive']);
  });

  it('skips the userNames check without a sample', () => {
    const check = checkNameId({ sp: spAsking(), userMapping: AD_BY_SAM }).checks[1];
    expect(check).toMatchObject({ name: 'userNames', ok: true, skipped: true });
  });
});

describe('checkNameId: the other rules', () => {
  it('fails without a userName mapping', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.emailAddress),
      userMapping: { displayName: 'cn' },
    });
    expect(codes(report, 'error')).toEqual(['noUserNameMapping']);
  });

  it('explains the unspecified format, and no format at all, at info level', () => {
    expect(codes(checkNameId({ sp: spAsking(NAMEID_FORMATS.unspecified), userMapping: AD_BY_SAM }))).toEqual([
      'unspecifiedFormat',
    ]);
    const report = checkNameId({ sp: spAsking(), userMapping: AD_BY_SAM });
    expect(report.ok).toBe(true);
    expect(codes(report)).toEqual(['unspecifiedFormat']);
  });

  it('warns about persistent and transient NameIDs', () => {
    expect(
      codes(checkNameId({ sp: spAsking(NAMEID_FORMATS.persistent), userMapping: AD_BY_MAIL }), 'warning'),
    ).toEqual(['opaqueNameIdFormat']);
    expect(
      codes(checkNameId({ sp: spAsking(NAMEID_FORMATS.transient), userMapping: AD_BY_MAIL }), 'warning'),
    ).toEqual(['opaqueNameIdFormat']);
  });

  it('checks the format the IdP is configured to send, and that the SP accepts it', () => {
    const sp = spAsking(NAMEID_FORMATS.unspecified, NAMEID_FORMATS.emailAddress);
    expect(
      codes(checkNameId({ sp, userMapping: AD_BY_SAM, nameIdFormat: NAMEID_FORMATS.emailAddress }), 'error'),
    ).toEqual(['nameIdFormatMismatch']);
    expect(
      codes(checkNameId({ sp, userMapping: AD_BY_MAIL, nameIdFormat: NAMEID_FORMATS.persistent }), 'error'),
    ).toEqual(['nameIdFormatNotAccepted']);
  });

  it('catches an IdP subject taken from another attribute than userName', () => {
    const report = checkNameId({
      sp: spAsking(NAMEID_FORMATS.emailAddress),
      userMapping: AD_BY_MAIL,
      subjectAttribute: 'userPrincipalName',
    });
    expect(codes(report, 'error')).toEqual(['subjectAttributeMismatch']);
    expect(
      checkNameId({
        sp: spAsking(NAMEID_FORMATS.emailAddress),
        userMapping: AD_BY_MAIL,
        subjectAttribute: 'MAIL',
      }).ok,
    ).toBe(true);
  });

  it('warns about a custom transform on userName, and mentions a case change', () => {
    const custom: AttributeMapping = {
      userName: { from: 'mail', transform: (value) => String(value).replace(/@.*/, '') },
    };
    expect(codes(checkNameId({ sp: spAsking(), userMapping: custom }), 'warning')).toEqual([
      'userNameTransformed',
    ]);
    const lower: AttributeMapping = { userName: { from: 'mail', transform: ['trim', 'lower'] } };
    expect(
      codes(checkNameId({ sp: spAsking(NAMEID_FORMATS.emailAddress), userMapping: lower }), 'info'),
    ).toEqual(['userNameTransformed']);
  });

  it('takes the SP role as well as the entity', () => {
    const entity = spAsking(NAMEID_FORMATS.emailAddress);
    expect(codes(checkNameId({ sp: entity.sp!, userMapping: AD_BY_SAM }))).toEqual(
      codes(checkNameId({ sp: entity, userMapping: AD_BY_SAM })),
    );
  });
});

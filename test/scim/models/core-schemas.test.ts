import { describe, expect, it } from 'vitest';
import type { ScimSchema } from '../../../src/scim/models';
import {
  CORE_SCHEMAS,
  ENTERPRISE_USER_SCHEMA,
  EnterpriseUser,
  findAttributeDefinition,
  GROUP_SCHEMA,
  parseSchema,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  ScimGroup,
  ScimUser,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  SERVICE_PROVIDER_SCHEMAS,
  ServiceProviderConfig,
  USER_SCHEMA,
} from '../../../src/scim/models';
import { SCHEMAS } from '../../../src/scim/schemas';
import { loadFixtureArray } from './rfc-fixtures';

/** The constant as the RFC prints it: the RFC's representation has no `schemas` attribute. */
function withoutSchemasAttribute(schema: ScimSchema): unknown {
  const { schemas, ...rest } = schema;
  expect(schemas).toEqual([SCHEMAS.Schema]);
  return rest;
}

describe('schema constants', () => {
  it('are the RFC 7643 section 8.7.1 representations', () => {
    expect([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA].map(withoutSchemasAttribute)).toEqual(
      loadFixtureArray('8.7.1-resource-schemas.json'),
    );
    expect(CORE_SCHEMAS).toEqual([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA]);
  });

  it('include the RFC 7643 section 8.7.2 representations', () => {
    expect(
      [SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA].map(withoutSchemasAttribute),
    ).toEqual(loadFixtureArray('8.7.2-service-provider-schemas.json'));
    expect(SERVICE_PROVIDER_SCHEMAS.map((schema) => schema.id)).toEqual([
      SCHEMAS.ServiceProviderConfig,
      SCHEMAS.ResourceType,
      SCHEMAS.Schema,
    ]);
  });

  it('are valid schema documents, as a server would send them', () => {
    for (const schema of [...CORE_SCHEMAS, ...SERVICE_PROVIDER_SCHEMAS]) {
      expect(parseSchema(JSON.parse(JSON.stringify(schema)))).toEqual(schema);
    }
  });

  it('cannot be changed by accident', () => {
    const emails = findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'emails');
    expect(Object.isFrozen(USER_SCHEMA)).toBe(true);
    expect(Object.isFrozen(emails?.subAttributes?.[0])).toBe(true);
    expect(() => {
      (USER_SCHEMA.attributes as unknown[]).push({});
    }).toThrow(TypeError);
  });
});

describe('the zod models and the schema constants describe the same attributes', () => {
  const common = new Set(['schemas', 'id', 'externalId', 'meta']);

  function attributeNames(schema: ScimSchema): string[] {
    return schema.attributes.map((attribute) => attribute.name).sort();
  }

  function modelKeys(shape: Record<string, unknown>): string[] {
    return Object.keys(shape)
      .filter((key) => !common.has(key) && !key.startsWith('urn:'))
      .sort();
  }

  it('User', () => {
    expect(modelKeys(ScimUser.shape)).toEqual(attributeNames(USER_SCHEMA));
    for (const [attribute, model] of [
      ['name', ScimUser.shape.name.unwrap()],
      ['addresses', ScimUser.shape.addresses.unwrap().element],
      ['groups', ScimUser.shape.groups.unwrap().element],
      ['emails', ScimUser.shape.emails.unwrap().element],
    ] as const) {
      const definition = findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, attribute);
      const definedSubAttributes = (definition?.subAttributes ?? []).map((sub) => sub.name).sort();
      expect(Object.keys(model.shape).sort(), attribute).toEqual(
        attribute === 'emails' ? [...definedSubAttributes, '$ref'].sort() : definedSubAttributes,
      );
    }
  });

  it('Group, EnterpriseUser and ServiceProviderConfig', () => {
    expect(modelKeys(ScimGroup.shape)).toEqual(attributeNames(GROUP_SCHEMA));
    expect(Object.keys(EnterpriseUser.shape).sort()).toEqual(attributeNames(ENTERPRISE_USER_SCHEMA));
    const rfc7643Blocks = modelKeys(ServiceProviderConfig.shape).filter((key) => key !== 'pagination');
    expect(rfc7643Blocks).toEqual(attributeNames(SERVICE_PROVIDER_CONFIG_SCHEMA));
  });
});

describe('findAttributeDefinition', () => {
  it('finds attributes and sub-attributes', () => {
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'userName')).toMatchObject({
      type: 'string',
      required: true,
      uniqueness: 'server',
    });
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'emails', 'type')?.canonicalValues).toEqual([
      'work',
      'home',
      'other',
    ]);
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.Group, 'members', '$ref')?.referenceTypes).toEqual([
      'User',
      'Group',
    ]);
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'password')?.returned).toBe('never');
  });

  it('compares the schema URN, attribute and sub-attribute names case-insensitively', () => {
    const manager = findAttributeDefinition(
      CORE_SCHEMAS,
      SCHEMAS.EnterpriseUser.toUpperCase(),
      'MANAGER',
      'Value',
    );
    expect(manager).toMatchObject({ name: 'value', required: true });
  });

  it('returns undefined for what is not there', () => {
    expect(findAttributeDefinition(CORE_SCHEMAS, 'urn:example:Other', 'userName')).toBeUndefined();
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'department')).toBeUndefined();
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'emails', 'department')).toBeUndefined();
    expect(findAttributeDefinition(CORE_SCHEMAS, SCHEMAS.User, 'userName', 'value')).toBeUndefined();
    expect(findAttributeDefinition([], SCHEMAS.User, 'userName')).toBeUndefined();
  });

  it('searches schemas a service published, even ones read leniently', () => {
    const custom = parseSchema(
      { id: 'urn:example:Acme', attributes: [{ name: 'badge', type: 'text', multiValued: 'no' }] },
      { mode: 'lenient' },
    );
    expect(findAttributeDefinition([custom], 'urn:example:acme', 'Badge')).toEqual({
      name: 'badge',
      type: 'text',
      multiValued: 'no',
    });
    expect(findAttributeDefinition([custom], 'urn:example:acme', 'badge', 'number')).toBeUndefined();
  });
});

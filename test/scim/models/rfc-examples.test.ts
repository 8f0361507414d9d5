import { describe, expect, it } from 'vitest';
import type { ParseOptions } from '../../../src/scim/models';
import {
  parseBulkRequest,
  parseBulkResponse,
  parseErrorResponse,
  parseGroup,
  parseListResponse,
  parseResourceType,
  parseSchema,
  parseServiceProviderConfig,
  parseUser,
} from '../../../src/scim/models';
import { SCHEMAS } from '../../../src/scim/schemas';
import { loadFixture, loadFixtureArray, throughJson } from './rfc-fixtures';

type Parse = (input: unknown, options?: ParseOptions) => unknown;

/**
 * Every example is written in the canonical spelling, so parsing must give back exactly the
 * document (nothing dropped, nothing added), and parsing the JSON of the result must give the same.
 */
function expectParsesUnchanged(parse: Parse, document: unknown): void {
  const parsed = parse(document);
  expect(parsed).toEqual(document);
  expect(parse(throughJson(parsed))).toEqual(parsed);
  expect(parse(document, { mode: 'lenient' })).toEqual(document);
}

describe('RFC 7643 section 8 examples', () => {
  it('8.1 minimal user', () => {
    expectParsesUnchanged(parseUser, loadFixture('8.1-minimal-user.json'));
  });

  it('8.2 full user, every core attribute typed', () => {
    const document = loadFixture('8.2-full-user.json');
    expectParsesUnchanged(parseUser, document);
    const user = parseUser(document);
    expect(user.name?.honorificSuffix).toBe('III');
    expect(user.emails?.[0]).toEqual({ value: 'bjensen@example.com', type: 'work', primary: true });
    expect(user.addresses?.[1]?.formatted).toBe('456 Hollywood Blvd\nHollywood, CA 91608 USA');
    expect(user.groups?.map((group) => group.display)).toEqual(['Tour Guides', 'Employees', 'US Employees']);
    expect(user.x509Certificates?.[0]?.value).toMatch(/^MIIDQzCC/);
    expect(user.meta?.version).toBe('W/"a330bc54f0671c9"');
  });

  it('8.3 enterprise user, with the extension under its URN', () => {
    const document = loadFixture('8.3-enterprise-user.json');
    expectParsesUnchanged(parseUser, document);
    const enterprise = parseUser(document)[SCHEMAS.EnterpriseUser];
    expect(enterprise?.costCenter).toBe('4130');
    expect(enterprise?.manager?.value).toBe('26118915-6090-4610-87e4-49d8ca9f808d');
  });

  it('8.4 group', () => {
    const document = loadFixture('8.4-group.json');
    expectParsesUnchanged(parseGroup, document);
    expect(parseGroup(document).members?.map((member) => member.display)).toEqual([
      'Babs Jensen',
      'Mandy Pepperidge',
    ]);
  });

  it('8.5 service provider configuration', () => {
    const document = loadFixture('8.5-service-provider-config.json');
    expectParsesUnchanged(parseServiceProviderConfig, document);
    const config = parseServiceProviderConfig(document);
    expect(config.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
    expect(config.authenticationSchemes.map((scheme) => scheme.type)).toEqual([
      'oauthbearertoken',
      'httpbasic',
    ]);
  });

  it('8.6 resource types', () => {
    const [user, group] = loadFixtureArray('8.6-resource-types.json');
    expectParsesUnchanged(parseResourceType, user);
    expectParsesUnchanged(parseResourceType, group);
    expect(parseResourceType(user).schemaExtensions).toEqual([
      { schema: SCHEMAS.EnterpriseUser, required: true },
    ]);
  });

  it('8.7.1 resource schemas (User, Group, EnterpriseUser)', () => {
    const schemas = loadFixtureArray('8.7.1-resource-schemas.json');
    expect(schemas).toHaveLength(3);
    for (const schema of schemas) expectParsesUnchanged(parseSchema, schema);
    expect(schemas.map((schema) => parseSchema(schema).id)).toEqual([
      SCHEMAS.User,
      SCHEMAS.Group,
      SCHEMAS.EnterpriseUser,
    ]);
  });

  it('8.7.2 service provider schemas (ServiceProviderConfig, ResourceType, Schema)', () => {
    const schemas = loadFixtureArray('8.7.2-service-provider-schemas.json');
    expect(schemas).toHaveLength(3);
    for (const schema of schemas) expectParsesUnchanged(parseSchema, schema);
    const schemaOfSchemas = parseSchema(schemas[2]);
    const attributes = schemaOfSchemas.attributes.find((attribute) => attribute.name === 'attributes');
    const subAttributes = attributes?.subAttributes?.find((attribute) => attribute.name === 'subAttributes');
    expect(subAttributes?.subAttributes?.map((attribute) => attribute.name)).toContain('referenceTypes');
  });
});

describe('RFC 7644 examples', () => {
  it('3.4.2 ListResponse of users with selected attributes only', () => {
    const document = loadFixture('rfc7644-3.4.2-list-response.json');
    const list = parseListResponse(document, parseUser);
    expect(list).toEqual(document);
    expect(parseListResponse(throughJson(list), parseUser)).toEqual(list);
    expect(list.totalResults).toBe(2);
    expect(list.Resources.map((user) => user.userName)).toEqual(['bjensen', 'jsmith']);
  });

  it('3.12 error responses', () => {
    expectParsesUnchanged(parseErrorResponse, loadFixture('rfc7644-3.12-error-not-found.json'));
    expectParsesUnchanged(parseErrorResponse, loadFixture('rfc7644-3.12-error-mutability.json'));
    const error = parseErrorResponse(loadFixture('rfc7644-3.12-error-mutability.json'));
    expect([error.status, error.scimType]).toEqual(['400', 'mutability']);
  });

  it('3.7 bulk request and bulk response', () => {
    expectParsesUnchanged(parseBulkRequest, loadFixture('rfc7644-3.7.1-bulk-request.json'));
    expectParsesUnchanged(parseBulkResponse, loadFixture('rfc7644-3.7.3-bulk-response.json'));
    const response = parseBulkResponse(loadFixture('rfc7644-3.7.3-bulk-response.json'));
    expect(response.Operations.map((operation) => `${operation.method} ${operation.status}`)).toEqual([
      'POST 400',
      'PUT 412',
      'PATCH 412',
      'DELETE 404',
    ]);
  });
});

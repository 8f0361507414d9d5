import { describe, expect, it } from 'vitest';
import { isScimProtocolError, type ScimProtocolError } from '../../../src/scim/errors/ScimProtocolError';
import { parsePatchPath } from '../../../src/scim/filter/patch-path';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function pathError(text: string): ScimProtocolError {
  try {
    parsePatchPath(text);
  } catch (error) {
    if (isScimProtocolError(error)) return error;
    throw error;
  }
  throw new Error(`parsePatchPath(${JSON.stringify(text)}) did not throw`);
}

describe('parsePatchPath', () => {
  it('parses attribute paths with and without a sub-attribute', () => {
    expect(parsePatchPath('displayName')).toEqual({ path: { attr: 'displayName' } });
    expect(parsePatchPath('name.familyName')).toEqual({ path: { attr: 'name', subAttr: 'familyName' } });
  });

  it('parses URN-qualified paths', () => {
    expect(parsePatchPath(`${ENTERPRISE}:manager.value`)).toEqual({
      path: { schema: ENTERPRISE, attr: 'manager', subAttr: 'value' },
    });
    expect(parsePatchPath(`${ENTERPRISE}:employeeNumber`)).toEqual({
      path: { schema: ENTERPRISE, attr: 'employeeNumber' },
    });
  });

  it('parses a value path', () => {
    expect(parsePatchPath('members[value eq "2819c223-7f76-453a-919d-413861904646"]')).toEqual({
      path: { attr: 'members' },
      valueFilter: {
        type: 'compare',
        path: { attr: 'value' },
        op: 'eq',
        value: '2819c223-7f76-453a-919d-413861904646',
      },
    });
  });

  it('parses a value path followed by a sub-attribute', () => {
    expect(parsePatchPath('emails[type eq "work" and primary eq true].value')).toEqual({
      path: { attr: 'emails' },
      valueFilter: {
        type: 'and',
        left: { type: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
        right: { type: 'compare', path: { attr: 'primary' }, op: 'eq', value: true },
      },
      subAttr: 'value',
    });
  });

  it('parses escaped values inside the brackets', () => {
    expect(parsePatchPath('members[value eq "a\\"] or [x"]').valueFilter).toEqual({
      type: 'compare',
      path: { attr: 'value' },
      op: 'eq',
      value: 'a"] or [x',
    });
  });

  it.each([
    ['', 0, 'the path is empty'],
    [' name', 0, 'starts with whitespace'],
    ['name ', 4, 'ends with whitespace'],
    ['members[value eq "x"] ', 21, 'ends with whitespace'],
    ['emails[type eq "work"].value ', 28, 'ends with whitespace'],
    ['name.given.family', 0, 'more than one sub-attribute'],
    ['members value', 8, 'expected "[" or the end of the path'],
    ['members [value eq "x"]', 8, 'without a space'],
    ['emails.value[type eq "work"]', 0, 'cannot have a sub-attribute'],
    ['members[value eq "x"', 20, '"]" closing the "["'],
    ['members[value eq x]', 17, 'expected a value'],
    ['members[]', 8, 'expected an attribute path'],
    ['emails[type eq "work"]value', 22, 'expected "." and a sub-attribute name'],
    ['emails[type eq "work"] .value', 23, 'expected "." and a sub-attribute name'],
    ['emails[type eq "work"].1x', 23, '"1x" is not a valid sub-attribute name'],
    ['emails[type eq "work"].value.x', 23, '"value.x" is not a valid sub-attribute name'],
    ['emails[type eq "work"].value[x pr]', 28, 'expected the end of the path'],
    ['(name)', 0, 'expected an attribute path'],
  ])('rejects %j with invalidPath at position %i', (text, position, fragment) => {
    const error = pathError(text);
    expect(error.scimType).toBe('invalidPath');
    expect(error.message).toContain(`Invalid path at position ${position}: `);
    expect(error.message).toContain(fragment);
  });
});

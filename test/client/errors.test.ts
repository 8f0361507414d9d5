import { describe, expect, it } from 'vitest';
import { isScimConflictError, ScimConflictError } from '../../src/client/errors/ScimConflictError';
import { isScimHttpError, ScimHttpError } from '../../src/client/errors/ScimHttpError';
import {
  isScimIncompleteListError,
  ScimIncompleteListError,
} from '../../src/client/errors/ScimIncompleteListError';
import { isScimNetworkError, ScimNetworkError } from '../../src/client/errors/ScimNetworkError';
import { isScimResponseError, ScimResponseError } from '../../src/client/errors/ScimResponseError';
import { isScimTimeoutError, ScimTimeoutError } from '../../src/client/errors/ScimTimeoutError';
import { isScimError } from '../../src/scim/errors/ScimError';

const request = {
  method: 'POST',
  url: 'https://scim.example.com/v2/Users',
  headers: { Authorization: '[REDACTED]' },
};

describe('ScimHttpError.fromResponse', () => {
  it('reads a SCIM error body', () => {
    const error = ScimHttpError.fromResponse({
      status: 400,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '400',
        scimType: 'invalidFilter',
        detail: 'bad filter',
      },
      request,
    });
    expect(error).toMatchObject({
      name: 'ScimHttpError',
      status: 400,
      scimType: 'invalidFilter',
      detail: 'bad filter',
      method: 'POST',
    });
    expect(error.message).toBe(
      'POST https://scim.example.com/v2/Users failed with HTTP 400 (invalidFilter): bad filter',
    );
  });

  it('gives ScimConflictError for 409, still a ScimHttpError', () => {
    const error = ScimHttpError.fromResponse({
      status: 409,
      body: { scimType: 'uniqueness', detail: 'taken' },
      request,
    });
    expect(error).toBeInstanceOf(ScimConflictError);
    expect(isScimConflictError(error)).toBe(true);
    expect(isScimHttpError(error)).toBe(true);
    expect(isScimError(error)).toBe(true);
    const linked = (error as ScimConflictError).withExisting({ id: 'u1' });
    expect(linked).toMatchObject({
      status: 409,
      scimType: 'uniqueness',
      existing: { id: 'u1' },
      message: error.message,
    });
  });

  it('describes bodies that are not SCIM: HTML by title, text by its start, nothing by status text', () => {
    expect(
      ScimHttpError.fromResponse({
        status: 503,
        body: '<html><title>Maintenance</title></html>',
        contentType: 'text/html',
        request,
      }).detail,
    ).toBe('the service sent an HTML page: "Maintenance"');
    expect(
      ScimHttpError.fromResponse({ status: 500, body: `oops ${'x'.repeat(1000)}`, request }).detail,
    ).toHaveLength(301);
    expect(
      ScimHttpError.fromResponse({ status: 502, statusText: 'Bad Gateway', body: '', request }).detail,
    ).toBe('Bad Gateway');
    expect(
      ScimHttpError.fromResponse({ status: 401, body: { error_description: 'expired token' }, request })
        .detail,
    ).toBe('expired token');
  });

  it('blanks secrets the service echoed back', () => {
    const error = ScimHttpError.fromResponse({
      status: 400,
      body: { detail: 'token abcd-1234-secret is invalid' },
      request,
      secrets: ['abcd-1234-secret'],
    });
    expect(error.message).not.toContain('abcd-1234-secret');
  });
});

describe('error guards', () => {
  it('recognise their own class by name and nothing else', () => {
    const errors = [
      new ScimNetworkError('x', { request, code: 'ECONNRESET' }),
      new ScimTimeoutError({ kind: 'attempt', timeoutMs: 5, request }),
      new ScimResponseError({ problem: 'empty', status: 200, contentType: undefined, request, detail: 'x' }),
      new ScimIncompleteListError({ resourceType: 'Users', reason: 'emptyPage', expected: 3, received: 2 }),
    ];
    const guards = [isScimNetworkError, isScimTimeoutError, isScimResponseError, isScimIncompleteListError];
    errors.forEach((error, index) => {
      expect(isScimError(error)).toBe(true);
      guards.forEach((guard, guardIndex) => {
        expect(guard(error)).toBe(index === guardIndex);
      });
      expect(isScimHttpError(error)).toBe(false);
    });
    expect(isScimHttpError(new Error('plain'))).toBe(false);
    expect(errors[3]?.message).toBe('Listing Users stopped after 2 of 3 resources (emptyPage)');
  });
});

/**
 * Property tests: for any two groups, the diff and the chunked PATCH requests take one to the other.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PatchOp } from '../../../src/scim/models/patch-op';
import { applyPatch, buildGroupPatches, diffGroups, type ScimGroupLike } from '../../../src/scim/patch';
import { SCHEMAS } from '../../../src/scim/schemas';

/** Member ids: ordinary, differing only in case, and hostile to a filter (quotes, backslashes, brackets, controls). */
const memberId = fc.oneof(
  fc.constantFrom(
    'a',
    'A',
    'b',
    'x"y',
    'back\\slash',
    '] or value pr [',
    'line\nbreak',
    '\u0000',
    '😀',
    'a ',
    ' a',
  ),
  fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
  fc.uuid(),
);

/** Two groups drawing their members from one pool, so that they overlap. */
const groupPair = fc.uniqueArray(memberId, { minLength: 0, maxLength: 14 }).chain((pool) => {
  const idsFrom =
    pool.length === 0 ? fc.constant<string[]>([]) : fc.array(fc.constantFrom(...pool), { maxLength: 14 });
  const member = (value: string) => ({ value });
  return fc.record({
    current: fc.record({
      displayName: fc.string({ minLength: 1, maxLength: 8 }),
      members: idsFrom.map((ids) => ids.map(member)),
    }),
    desired: fc.record({
      displayName: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
      members: idsFrom.map((ids) => ids.map(member)),
    }),
  });
});

function asResource(group: { displayName: string; members: { value: string }[] }): Record<string, unknown> {
  return { schemas: [SCHEMAS.Group], id: 'g-1', ...group, members: structuredClone(group.members) };
}

function memberSet(resource: Record<string, unknown>): Set<unknown> {
  const members = resource.members;
  return new Set(Array.isArray(members) ? members.map((member: { value: unknown }) => member.value) : []);
}

function expectToMatch(
  result: Record<string, unknown>,
  current: ScimGroupLike,
  desired: ScimGroupLike,
): void {
  expect(result.displayName).toBe(desired.displayName ?? current.displayName);
  expect(memberSet(result)).toEqual(new Set((desired.members ?? []).map((member) => member.value)));
}

describe('group PATCH properties', () => {
  it.each(['valuePath', 'valueArray'] as const)(
    'applyPatch(a, diffGroups(a, b)) gives b (%s)',
    (removeForm) => {
      fc.assert(
        fc.property(groupPair, ({ current, desired }) => {
          const result = applyPatch(asResource(current), diffGroups(current, desired, { removeForm }));
          expectToMatch(result, current, desired);
        }),
        { numRuns: 300 },
      );
    },
  );

  it.each(['valuePath', 'valueArray'] as const)(
    'the chunked requests of buildGroupPatches, applied in order, give b and respect the limits (%s)',
    (removeForm) => {
      fc.assert(
        fc.property(
          groupPair,
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          ({ current, desired }, maxOperations, maxMembersPerOperation) => {
            const bodies: PatchOp[] = buildGroupPatches(current, desired, {
              removeForm,
              maxOperations,
              maxMembersPerOperation,
            });
            let resource = asResource(current);
            for (const body of bodies) {
              expect(body.schemas).toEqual([SCHEMAS.PatchOp]);
              expect(body.Operations.length).toBeGreaterThanOrEqual(1);
              expect(body.Operations.length).toBeLessThanOrEqual(maxOperations);
              for (const operation of body.Operations) {
                if (Array.isArray(operation.value)) {
                  expect(operation.value.length).toBeLessThanOrEqual(maxMembersPerOperation);
                }
              }
              resource = applyPatch(resource, body);
            }
            expectToMatch(resource, current, desired);
          },
        ),
        { numRuns: 300 },
      );
    },
  );

  it('diffGroups of a group with itself is empty', () => {
    fc.assert(
      fc.property(groupPair, ({ current }) => {
        expect(diffGroups(current, current)).toEqual([]);
      }),
    );
  });
});

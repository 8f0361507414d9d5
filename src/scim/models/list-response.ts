import { z } from 'zod';
import type { ScimValidationIssue } from '../errors/ScimValidationError';
import { isScimValidationError, ScimValidationError } from '../errors/ScimValidationError';
import { SCHEMAS } from '../schemas';
import { messageSchemas } from './message-schemas';
import { type ExtraCheck, isRecord, parseDocument, prefixIssues } from './parse-document';
import type { ParseOptions } from './parse-options';
import { resolveParseOptions } from './parse-options';

/**
 * A page of query results (RFC 7644 section 3.4.2) holding items of type `T`, with the cursor
 * fields of RFC 9865. `totalResults` may be absent when cursor pagination is used and the service
 * cannot count; `Resources` is always an array after parsing (empty when the service left it out,
 * as it may when there are no results or `count=0`).
 */
export type ListResponse<T> = {
  schemas: string[];
  /** Total number of results the query matched, over all pages. */
  totalResults?: number | undefined;
  /** Number of results on this page. */
  itemsPerPage?: number | undefined;
  /** 1-based index of the first result on this page (index pagination). */
  startIndex?: number | undefined;
  /** Cursor of the next page (RFC 9865); absent on the last page. */
  nextCursor?: string | undefined;
  /** Cursor of the previous page (RFC 9865). */
  previousCursor?: string | undefined;
  /** The results on this page. */
  Resources: T[];
  [key: string]: unknown;
};

const envelopeAttributes = {
  totalResults: z.number().int().nonnegative().optional(),
  itemsPerPage: z.number().int().nonnegative().optional(),
  startIndex: z.number().int().optional(),
  nextCursor: z.string().optional(),
  previousCursor: z.string().optional(),
};

/**
 * The zod schema of a ListResponse whose `Resources` are items of `itemSchema`.
 *
 * @example
 * ```ts
 * const UserList = ListResponse(ScimUser);
 * const page = UserList.parse(body);
 * ```
 */
export function ListResponse<Item extends z.ZodType>(itemSchema: Item) {
  return z.looseObject({
    schemas: messageSchemas(SCHEMAS.ListResponse),
    ...envelopeAttributes,
    Resources: z.array(itemSchema).optional().default([]),
  });
}

const StrictEnvelope = ListResponse(z.unknown()).refine(
  (list) =>
    list.totalResults !== undefined || list.nextCursor !== undefined || list.previousCursor !== undefined,
  { message: 'required (totalResults may be left out only with cursor pagination)', path: ['totalResults'] },
);

const LenientEnvelope = z.looseObject({
  Resources: z.array(z.unknown()).optional().default([]),
});

/**
 * Reads a ListResponse, parsing each of its `Resources` with `parseItem` (for instance
 * {@link parseUser}) and the same options. Problems in items are reported with their place in the
 * list, e.g. `Resources[3].members[0]: expected object`, all together in one error.
 *
 * @param parseItem - reads one item; throws `ScimValidationError` when the item is wrong.
 * @throws ScimValidationError when the envelope is wrong (`Resources` not an array, in both modes)
 *   or when any item is.
 *
 * @example
 * ```ts
 * const page = parseListResponse(response.data, parseUser);
 * for (const user of page.Resources) console.log(user.userName);
 * ```
 */
export function parseListResponse<T>(
  input: unknown,
  parseItem: (item: unknown, options: ParseOptions) => T,
  options?: ParseOptions,
): ListResponse<T> {
  const resolved = resolveParseOptions(options);
  const envelope = parseDocument(
    'ListResponse',
    input,
    { strict: StrictEnvelope, lenient: LenientEnvelope },
    resolved,
    [listShapeCheck],
  );
  const issues: ScimValidationIssue[] = [];
  const items: T[] = [];
  envelope.Resources.forEach((item, index) => {
    try {
      items.push(parseItem(item, resolved));
    } catch (error) {
      if (!isScimValidationError(error)) throw error;
      issues.push(...prefixIssues(['Resources', index], error.issues));
    }
  });
  if (issues.length > 0) throw new ScimValidationError('ListResponse', issues);
  const result: ListResponse<T> = { ...envelope, schemas: schemasOf(envelope), Resources: items };
  return result;
}

/**
 * A document with none of a ListResponse's own attributes (no `Resources`, `totalResults` or
 * cursor, no ListResponse URN) is not one, in both modes: a single resource or an error document
 * in place of a list must not be read as an empty list, which a caller would take for "the service
 * holds nothing".
 */
const listShapeCheck: ExtraCheck = (normalized) => {
  if (!isRecord(normalized)) return [];
  const schemas = Array.isArray(normalized.schemas) ? normalized.schemas : [];
  const listLike =
    normalized.Resources !== undefined ||
    normalized.totalResults !== undefined ||
    normalized.nextCursor !== undefined ||
    schemas.includes(SCHEMAS.ListResponse);
  return listLike
    ? []
    : [
        {
          path: ['Resources'],
          message: 'required (the document has none of the attributes of a ListResponse)',
          code: 'invalid_type',
        },
      ];
};

function schemasOf(envelope: unknown): string[] {
  if (!isRecord(envelope) || !Array.isArray(envelope.schemas)) return [];
  return envelope.schemas.filter((urn): urn is string => typeof urn === 'string');
}

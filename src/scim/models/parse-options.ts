/**
 * How strictly a parse function checks a SCIM document.
 *
 * - `'strict'`: the types of RFC 7643/7644 are enforced for every attribute the SDK knows.
 * - `'lenient'`: only what the SDK cannot work without is enforced (a resource's `id`, a user's
 *   `userName`, a group's `displayName`, `members` being objects with a `value`, a ListResponse's
 *   `Resources` being an array, a PatchOp's operations); any other type mismatch is kept as sent.
 *   The returned value then has the declared type only for what was enforced: check the other
 *   attributes before relying on their type.
 */
export type ParseMode = 'strict' | 'lenient';

/** Options of every `parseXxx` function of the SCIM models. */
export interface ParseOptions {
  /**
   * How strictly to check the document; see {@link ParseMode}. Tolerance for real services (attribute
   * names in any case, `"True"`/`"False"` strings, unknown attributes kept) applies in both modes.
   * @default 'strict'
   */
  readonly mode?: ParseMode;
  /**
   * Whether a resource must carry an `id`. A resource that a service returns must have one; set
   * `false` for a resource about to be created (a POST body).
   * @default true
   */
  readonly requireId?: boolean;
}

/** {@link ParseOptions} with every default applied. */
export interface ResolvedParseOptions {
  readonly mode: ParseMode;
  readonly requireId: boolean;
}

/** Applies the defaults of {@link ParseOptions}; the caller's object is not written to. */
export function resolveParseOptions(options: ParseOptions | undefined): ResolvedParseOptions {
  return {
    mode: options?.mode ?? 'strict',
    requireId: options?.requireId ?? true,
  };
}

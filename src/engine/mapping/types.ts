import type { SourceAttributes } from '../../datastore/types';

/**
 * A transform built into the mapping, applied to each text value (binary values pass unchanged):
 *
 * - `trim`: leading and trailing white space removed (a value left empty counts as no value);
 * - `lower`: lower case (`String.prototype.toLowerCase`, locale-independent);
 * - `upper`: upper case.
 */
export type BuiltInTransform = 'trim' | 'lower' | 'upper';

/** What a custom transform returns for one value; `null`, `undefined` and `''` drop the value. */
export type TransformResult = string | number | boolean | Buffer | null | undefined;

/** What a custom transform is told besides the value. */
export interface TransformContext {
  /** The mapping key (the target SCIM path) being filled, as written in the mapping. */
  readonly path: string;
  /** The source attribute the value comes from, as written in the rule. */
  readonly from: string;
  /** The source object: its stable id and all of its attributes (to combine several). */
  readonly source: { readonly id: string; readonly attributes: SourceAttributes };
}

/**
 * A custom transform, called once per source value. It must be pure (same value in, same value
 * out), since its result decides whether a user needs an update. A number or boolean returned by
 * an earlier step passes the later steps unchanged.
 *
 * @example
 * ```ts
 * const stripDomain: CustomTransform = (value) => String(value).replace(/@.*$/, '');
 * ```
 */
export type CustomTransform = (value: string | Buffer, context: TransformContext) => TransformResult;

/** One transform step: built in, or a function. */
export type MappingTransform = BuiltInTransform | CustomTransform;

/** A single SCIM value a mapping can produce or take as a default. */
export type MappedScalar = string | number | boolean;

/** A mapped attribute value: one value, or several for a multi-valued simple attribute. */
export type MappedValue = MappedScalar | readonly MappedScalar[];

/**
 * How one SCIM attribute is filled from the source.
 *
 * @example
 * ```ts
 * const rule: MappingRule = { from: 'mail', transform: ['trim', 'lower'], createOnly: false };
 * ```
 */
export interface MappingRule {
  /** The source attribute to read, matched case-insensitively (`givenname` finds `givenName`). */
  readonly from: string;
  /**
   * Applied to each value, in order. A list runs left to right: `['trim', 'lower']`.
   *
   * @default no transform
   */
  readonly transform?: MappingTransform | readonly MappingTransform[];
  /**
   * Written when the object is created and never afterwards: left out of the hash that decides
   * updates, kept as the target has it when the user is replaced, never cleared. For values the
   * target's users may change themselves (a nickname, a preferred language).
   *
   * @default false
   */
  readonly createOnly?: boolean;
  /**
   * Used when the source has no value (after transforms). An attribute with a default is never
   * cleared.
   *
   * @default no default: an attribute without a value is cleared in the target
   */
  readonly default?: MappedValue;
}

/**
 * SCIM attribute path -> source attribute name, or a {@link MappingRule}.
 *
 * Keys are SCIM paths:
 *
 * - core attributes: `userName`, `displayName`, `name.givenName`, `title`, `externalId`;
 * - one value of a multi-valued attribute, chosen by a value filter on its sub-attributes (only
 *   `eq`, joined by `and`): `emails[type eq "work"].value`, `phoneNumbers[type eq "mobile"].value`,
 *   `addresses[type eq "work"].locality`;
 * - Enterprise User attributes, URN-qualified:
 *   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`, `…:User:manager.value`;
 * - custom extension attributes, qualified by the extension's URN, e.g.
 *   `urn:example:params:scim:schemas:extension:acme:2.0:User:costCenter`.
 *
 * Not mappable: `id`, `meta`, `schemas`, `active` (the engine derives it from the account status),
 * `groups` and `members` (the engine manages memberships), and secrets (`password`, any
 * write-only attribute).
 *
 * @example
 * ```ts
 * const mapping: AttributeMapping = {
 *   userName: { from: 'userPrincipalName', transform: 'lower' },
 *   'name.givenName': 'givenName',
 *   'emails[type eq "work"].value': 'mail',
 *   'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'department',
 * };
 * ```
 */
export type AttributeMapping = Readonly<Record<string, string | MappingRule>>;

/** The part of a source object that mapping reads: a `SourceUser` or `SourceGroup` fits. */
export interface MappingSource {
  /** The source object's stable id (named in errors). */
  readonly id: string;
  /** Its attributes by name. */
  readonly attributes: SourceAttributes;
}

/** A SCIM resource body built by mapping: `schemas` plus the mapped attributes, as plain JSON. */
export type MappedResourceBody = Record<string, unknown> & { schemas: string[] };

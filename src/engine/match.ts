/**
 * Finding the target object a source object corresponds to, the first time the engine meets it:
 * the key a source object is matched by, the keys a listed target object can be found under, and
 * the filter that looks one up.
 *
 * @module
 */
import type { SourceAttributes } from '../datastore/types';
import { findKey, getAttributeValues, isPlainObject } from '../scim/attributes';
import type { AttributePath, FilterNode } from '../scim/filter/ast';
import { filter } from '../scim/filter/builder';
import { matchesFilter } from '../scim/filter/evaluate';
import { parseFilter } from '../scim/filter/parser';
import type { TargetResource } from './target';

/** A parsed `match.users` option. */
export type UserMatchRule =
  | { readonly kind: 'userName' }
  | { readonly kind: 'emailsWork' }
  | {
      readonly kind: 'template';
      /** The template as written. */
      readonly template: string;
      /** The source attributes named by placeholders, in order of appearance. */
      readonly placeholders: readonly string[];
      /**
       * When the template is a single `path eq "{attribute}"`: the path, so that a listing can be
       * indexed by it; otherwise listings are scanned.
       */
      readonly indexPath: AttributePath | undefined;
    };

/** A placeholder as a template must write it: inside double quotes, the whole string. */
const PLACEHOLDER = /"\{([^{}"]+)\}"/g;

/**
 * Reads a `match.users` option.
 *
 * @throws Error saying what is wrong with a template (the caller names the option).
 */
export function parseUserMatch(text: string): UserMatchRule {
  if (text === 'userName') return { kind: 'userName' };
  if (text === 'emails.work') return { kind: 'emailsWork' };
  const placeholders: string[] = [];
  const probe = text.replace(PLACEHOLDER, (_whole, name: string) => {
    placeholders.push(name.trim());
    return '"x"';
  });
  if (placeholders.length === 0) {
    throw new Error(
      `must be 'userName', 'emails.work' or a filter template with "{sourceAttribute}" placeholders, such as 'externalId eq "{employeeNumber}"'`,
    );
  }
  if (/[{}]/.test(probe)) {
    throw new Error('has a placeholder that is not written inside double quotes: "{attribute}"');
  }
  let ast: FilterNode;
  try {
    ast = parseFilter(probe);
  } catch (error) {
    throw new Error(`is not a valid SCIM filter template: ${(error as Error).message}`);
  }
  const indexPath =
    ast.type === 'compare' && ast.op === 'eq' && placeholders.length === 1 && typeof ast.value === 'string'
      ? ast.path
      : undefined;
  return { kind: 'template', template: text, placeholders, indexPath };
}

/**
 * How a user is matched: its key (compared case-insensitively), the keys a target user can be
 * found under, and the lookup to send.
 */
export interface UserMatcher {
  /** The rule. */
  readonly rule: UserMatchRule;
  /**
   * The key of a source user, from its attributes and mapped resource; `undefined` when it has
   * none (it then matches nothing).
   */
  keyOf(
    source: { readonly attributes: SourceAttributes },
    mapped: Readonly<Record<string, unknown>>,
  ): string | undefined;
  /** The keys a listed target user is indexed under (lower-cased); empty when it cannot be indexed. */
  keysOfTarget(resource: TargetResource): string[];
  /** Whether a listed target user matches the source user (after an index hit, or in a scan). */
  matches(resource: TargetResource, source: { readonly attributes: SourceAttributes }): boolean;
  /** The filter that looks the user up, or `undefined` when it has no key. */
  filterOf(
    source: { readonly attributes: SourceAttributes },
    mapped: Readonly<Record<string, unknown>>,
  ): string | undefined;
  /** Whether listings can be indexed (else a scan with `matches`). */
  readonly indexable: boolean;
}

/** Builds the matcher of a rule. */
export function userMatcher(rule: UserMatchRule): UserMatcher {
  switch (rule.kind) {
    case 'userName':
      return {
        rule,
        indexable: true,
        keyOf: (_source, mapped) => lowerString(readTop(mapped, 'userName')),
        keysOfTarget: (resource) => listOf(lowerString(readTop(resource, 'userName'))),
        matches: () => true,
        filterOf: (_source, mapped) => {
          const userName = readTop(mapped, 'userName');
          return typeof userName === 'string' ? filter.eq('userName', userName).toString() : undefined;
        },
      };
    case 'emailsWork':
      return {
        rule,
        indexable: true,
        keyOf: (_source, mapped) => lowerString(workEmails(mapped)[0]),
        keysOfTarget: (resource) => workEmails(resource).map((email) => email.toLowerCase()),
        matches: () => true,
        filterOf: (_source, mapped) => {
          const email = workEmails(mapped)[0];
          return email === undefined
            ? undefined
            : filter
                .valuePath('emails', filter.and(filter.eq('type', 'work'), filter.eq('value', email)))
                .toString();
        },
      };
    case 'template': {
      const substitute = (attributes: SourceAttributes): string | undefined => {
        let missing = false;
        const text = rule.template.replace(PLACEHOLDER, (_whole, name: string) => {
          const value = firstText(attributes, name.trim());
          if (value === undefined) missing = true;
          return JSON.stringify(value ?? '');
        });
        return missing ? undefined : text;
      };
      const indexPath = rule.indexPath;
      return {
        rule,
        indexable: indexPath !== undefined,
        keyOf: (source) => {
          if (indexPath === undefined) return substitute(source.attributes);
          return lowerString(firstText(source.attributes, rule.placeholders[0] ?? ''));
        },
        keysOfTarget: (resource) =>
          indexPath === undefined
            ? []
            : getAttributeValues(resource, indexPath)
                .filter((value): value is string => typeof value === 'string')
                .map((value) => value.toLowerCase()),
        matches: (resource, source) => {
          const text = substitute(source.attributes);
          return text !== undefined && matchesFilter(parseFilter(text), resource);
        },
        filterOf: (source) => substitute(source.attributes),
      };
    }
  }
}

/** The first text value of a source attribute (found case-insensitively). */
export function firstText(attributes: SourceAttributes, name: string): string | undefined {
  const key = findKey(attributes as Record<string, unknown>, name);
  const value = key === undefined ? undefined : attributes[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' ? first : undefined;
}

/** The `value` of every email of type `work` (case-insensitive type). */
function workEmails(resource: Readonly<Record<string, unknown>>): string[] {
  const emails = readTop(resource, 'emails');
  if (!Array.isArray(emails)) return [];
  const out: string[] = [];
  for (const email of emails) {
    if (!isPlainObject(email)) continue;
    const type = readTop(email, 'type');
    const value = readTop(email, 'value');
    if (
      typeof type === 'string' &&
      type.toLowerCase() === 'work' &&
      typeof value === 'string' &&
      value !== ''
    ) {
      out.push(value);
    }
  }
  return out;
}

function readTop(resource: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = findKey(resource as Record<string, unknown>, name);
  return key === undefined ? undefined : resource[key];
}

function lowerString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
}

function listOf(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

/** The key of a group: its displayName, lower-cased. */
export function groupKey(displayName: string): string {
  return displayName.toLowerCase();
}

/** The key a listed target group is indexed under. */
export function groupKeyOfTarget(resource: TargetResource): string | undefined {
  return lowerString(readTop(resource, 'displayName'));
}

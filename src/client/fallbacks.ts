/**
 * What a client learned about a service's gaps, once, for the rest of its life: which filters it
 * cannot run (per resource type and attribute), whether it compares a name case-sensitively,
 * whether it has PATCH, and which form of member removal it accepts. Each lesson is emitted once as
 * a `fallback` event.
 */
import type { RemoveMembersForm } from '../scim/patch/member-ops';
import type { ScimClientEvents, ScimFallbackKind } from './events';

type Emit = <E extends keyof ScimClientEvents>(event: E, ...args: ScimClientEvents[E]) => void;

/**
 * How lookups by an attribute are answered:
 *
 * - `'filter'`: the service filters on it (`GET /Users?filter=userName eq "…"`, one request);
 * - `'local'`: every resource is listed (once per sync, see `SyncCache`) and matched locally with
 *   `matchesFilter`, because the service refused the filter (`400 invalidFilter`, `403`, `501`),
 *   ignored it (answered resources that do not match), said it does not filter, or compares the
 *   attribute case-sensitively where RFC 7643 says it must not.
 */
export type LookupMode = 'filter' | 'local';

/** Whether a service compares an attribute's values case-sensitively in filters. */
export type CaseSensitivity = 'unknown' | 'insensitive' | 'sensitive' | 'noSample';

/** The fallbacks one client has switched to. */
export class Fallbacks {
  private readonly emit: Emit;
  private readonly localLookups = new Map<string, string>();
  private readonly caseSensitivity = new Map<string, CaseSensitivity>();
  private readonly patchEmulated = new Map<string, string>();
  private form: RemoveMembersForm;
  private formSwitched = false;

  constructor(emit: Emit, removeForm: RemoveMembersForm) {
    this.emit = emit;
    this.form = removeForm;
  }

  /** How lookups of `resourceType` by `attribute` are answered now. */
  lookupMode(resourceType: string, attribute: string): LookupMode {
    return this.localLookups.has(key(resourceType, attribute)) ||
      this.localLookups.has(key(resourceType, '*'))
      ? 'local'
      : 'filter';
  }

  /**
   * Switches lookups of `resourceType` by `attribute` (`'*'` for every attribute) to local
   * matching, once; later calls change nothing.
   */
  useLocalFilter(resourceType: string, attribute: string, reason: string): void {
    if (this.lookupMode(resourceType, attribute) === 'local') return;
    this.localLookups.set(key(resourceType, attribute), reason);
    this.notify('localFilter', resourceType, reason, attribute === '*' ? undefined : attribute);
  }

  /** What is known of the case-sensitivity of filters on `resourceType`.`attribute`. */
  caseSensitivityOf(resourceType: string, attribute: string): CaseSensitivity {
    return this.caseSensitivity.get(key(resourceType, attribute)) ?? 'unknown';
  }

  /** Records what a probe found (`'noSample'`: nothing to probe with yet). */
  setCaseSensitivity(resourceType: string, attribute: string, value: CaseSensitivity): void {
    this.caseSensitivity.set(key(resourceType, attribute), value);
  }

  /** After a create: a probe that lacked a sample may now find one. */
  resourceCreated(resourceType: string): void {
    for (const [name, value] of this.caseSensitivity) {
      if (value === 'noSample' && name.startsWith(`${resourceType}\u0000`)) this.caseSensitivity.delete(name);
    }
  }

  /** True when PATCH of `resourceType` is done as GET + local apply + PUT. */
  isPatchEmulated(resourceType: string): boolean {
    return this.patchEmulated.has(resourceType) || this.patchEmulated.has('*');
  }

  /** Switches PATCH of `resourceType` (`'*'` for every type) to emulation, once. */
  emulatePatch(resourceType: string, reason: string): void {
    if (this.isPatchEmulated(resourceType)) return;
    this.patchEmulated.set(resourceType, reason);
    this.notify('patchEmulation', resourceType === '*' ? 'Users, Groups' : resourceType, reason);
  }

  /** The member removal form in use. */
  get removeForm(): RemoveMembersForm {
    return this.form;
  }

  /** True once the removal form has been switched (it is switched at most once). */
  get removeFormSwitched(): boolean {
    return this.formSwitched;
  }

  /** Switches to the other member removal form, once. Returns false when it was switched already. */
  switchRemoveForm(reason: string): boolean {
    if (this.formSwitched) return false;
    this.formSwitched = true;
    this.form = this.form === 'valuePath' ? 'valueArray' : 'valuePath';
    this.notify('memberRemovalForm', 'Groups', `${reason}; now removing members with the ${this.form} form`);
    return true;
  }

  /** Emits a one-off fallback for a single listing. */
  paginationFallback(resourceType: string, reason: string): void {
    this.notify('pagination', resourceType, reason);
  }

  private notify(fallback: ScimFallbackKind, resourceType: string, reason: string, attribute?: string): void {
    this.emit('fallback', {
      fallback,
      resourceType,
      ...(attribute === undefined ? {} : { attribute }),
      reason,
    });
  }
}

function key(resourceType: string, attribute: string): string {
  return `${resourceType}\u0000${attribute.toLowerCase()}`;
}

import type { Watermark } from '../types';

/**
 * The watermarks `LdapDatastore` hands out. Opaque to consumers; versioned by `kind` so that a
 * watermark of another shape (or another adapter's) is recognised as foreign and gives a full read.
 */
export type LdapWatermark =
  /** AD: the DC's highestCommittedUSN when the read started, and which database it counts in. */
  | { readonly kind: 'ldap-usn'; readonly invocationId: string; readonly usn: string }
  /** Timestamp algorithms: the time (GeneralizedTime) from which the next read looks for changes. */
  | { readonly kind: 'ldap-timestamp'; readonly since: string };

/** Recognises a watermark this adapter produced; `undefined` for anything else. */
export function parseLdapWatermark(value: Watermark | undefined): LdapWatermark | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (
    value.kind === 'ldap-usn' &&
    typeof value.invocationId === 'string' &&
    typeof value.usn === 'string' &&
    /^\d{1,20}$/.test(value.usn)
  ) {
    return { kind: 'ldap-usn', invocationId: value.invocationId, usn: value.usn };
  }
  if (value.kind === 'ldap-timestamp' && typeof value.since === 'string' && /^\d{14}Z$/.test(value.since)) {
    return { kind: 'ldap-timestamp', since: value.since };
  }
  return undefined;
}

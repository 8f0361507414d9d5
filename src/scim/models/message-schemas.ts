import { z } from 'zod';

/**
 * The `schemas` attribute of an RFC 7644 message (ListResponse, PatchOp, Error, Bulk): an array of
 * URNs that must include the message's own URN. URNs are compared case-insensitively.
 */
export function messageSchemas(urn: string): z.ZodArray<z.ZodString> {
  const lower = urn.toLowerCase();
  return z.array(z.string()).refine((urns) => urns.some((item) => item.toLowerCase() === lower), {
    message: `must include "${urn}"`,
  });
}

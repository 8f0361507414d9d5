import { decodeUtf8 } from './attributes';
import { parseGeneralizedTime } from './generalized-time';
import type { LdapRawEntry } from './transport';

/** LDAP_CAP_ACTIVE_DIRECTORY_OID: advertised by Active Directory and Samba AD domain controllers. */
const ACTIVE_DIRECTORY_CAPABILITY = '1.2.840.113556.1.4.800';
/** Simple paged results control (RFC 2696). */
const PAGED_RESULTS_CONTROL = '1.2.840.113556.1.4.319';

/** The rootDSE attributes the adapter reads (operational ones must be named to be returned). */
export const ROOT_DSE_ATTRIBUTES: readonly string[] = [
  'namingContexts',
  'defaultNamingContext',
  'supportedCapabilities',
  'supportedControl',
  'supportedLDAPVersion',
  'highestCommittedUSN',
  'dsServiceName',
  'currentTime',
  'dnsHostName',
  'vendorName',
  'vendorVersion',
];

/** What the adapter learns from a server's rootDSE. */
export interface RootDse {
  readonly namingContexts: readonly string[];
  readonly defaultNamingContext: string | undefined;
  /** True when the server advertises Active Directory's capability (AD or Samba AD). */
  readonly isActiveDirectory: boolean;
  /** True when the server advertises the simple paged results control. */
  readonly supportsPaging: boolean;
  /** AD: the DC's highest committed update sequence number, as decimal text (a 64-bit number). */
  readonly highestCommittedUsn: string | undefined;
  /** AD: DN of the DC's NTDS Settings object, which holds its invocationId. */
  readonly dsServiceName: string | undefined;
  /** The server's clock, when it publishes it (AD). */
  readonly currentTime: Date | undefined;
  readonly dnsHostName: string | undefined;
  readonly vendorName: string | undefined;
}

/** Reads a rootDSE entry. */
export function parseRootDse(entry: LdapRawEntry | undefined): RootDse {
  const values = (name: string): string[] =>
    (entry?.attributes.find((attribute) => attribute.type.toLowerCase() === name.toLowerCase())?.values ?? [])
      .map(decodeUtf8)
      .filter((value): value is string => value !== undefined);
  const first = (name: string): string | undefined => values(name)[0];
  const time = first('currentTime');
  return {
    namingContexts: values('namingContexts'),
    defaultNamingContext: first('defaultNamingContext'),
    isActiveDirectory: values('supportedCapabilities').includes(ACTIVE_DIRECTORY_CAPABILITY),
    supportsPaging: values('supportedControl').includes(PAGED_RESULTS_CONTROL),
    highestCommittedUsn: first('highestCommittedUSN'),
    dsServiceName: first('dsServiceName'),
    currentTime: time === undefined ? undefined : parseGeneralizedTime(time),
    dnsHostName: first('dnsHostName'),
    vendorName: first('vendorName'),
  };
}

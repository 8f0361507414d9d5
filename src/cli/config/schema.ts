/**
 * The configuration file of `aquera-provisioner`: one JSON document, checked with this zod schema.
 * docs/configuration.md documents every field; a test keeps the two in step.
 *
 * Defaults are not repeated here: an absent field takes the SDK's default (the option of the same
 * name on `LdapDatastore`, `AqueraClient`/`ScimClient` or `ProvisioningEngine`), except the few the
 * command line decides itself (`target.type`, `mapping.preset`, `state.file`), applied in `load.ts`.
 *
 * @module
 */
import { z } from 'zod';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A zod error message: "is required (…)" when the field is missing, "expected …" when it is
 * there but wrong. The value itself is never part of the message (it may be a secret).
 */
const expecting =
  (what: string) =>
  (issue: { readonly input?: unknown }): string =>
    issue.input === undefined ? `is required (${what})` : `expected ${what}`;

/**
 * A secret (password, token): the value itself, the name of an environment variable that holds
 * it, or a file whose content (without a trailing newline) is the value.
 */
export const SecretSchema = z.union(
  [
    z.string().min(1),
    z.strictObject({ env: z.string().regex(ENV_NAME) }),
    z.strictObject({ file: z.string().min(1) }),
  ],
  { error: expecting('the secret as a string, { "env": "VARIABLE_NAME" } or { "file": "path" }') },
);

/** A secret as written in the file. */
export type SecretInput = z.input<typeof SecretSchema>;

const positiveMilliseconds = z
  .number({ error: expecting('a number of milliseconds') })
  .int({ error: expecting('a whole number of milliseconds') })
  .positive({ error: expecting('a positive number of milliseconds') });

const wholeNumber = (min: number, max: number) => {
  const error = expecting(`a whole number from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const text = (what: string) => z.string({ error: expecting(what) }).min(1, { error: expecting(what) });

const flag = z.boolean({ error: expecting('true or false') });

const httpUrl = text('an https:// URL').refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  },
  { error: expecting('an absolute https:// (or http://) URL') },
);

/** Where the target is and how to authenticate to it. */
export const TargetSchema = z.strictObject({
  type: z.enum(['aquera', 'scim'], { error: expecting("'aquera' or 'scim'") }).optional(),
  url: httpUrl,
  auth: z
    .discriminatedUnion(
      'type',
      [
        z.strictObject({ type: z.literal('bearer'), token: SecretSchema }),
        z.strictObject({ type: z.literal('basic'), username: text('a user name'), password: SecretSchema }),
      ],
      {
        error: expecting(
          '{ "type": "bearer", "token": … } or { "type": "basic", "username": …, "password": … }',
        ),
      },
    )
    .optional(),
  tls: z
    .strictObject({
      caFile: text('the path of a PEM file').optional(),
      rejectUnauthorized: flag.optional(),
    })
    .optional(),
  timeout: positiveMilliseconds.optional(),
  concurrency: wholeNumber(1, 64).optional(),
  rateLimit: z
    .number({ error: expecting('a number of requests per second') })
    .positive({ error: expecting('a positive number of requests per second') })
    .optional(),
  retries: wholeNumber(0, 10).optional(),
  allowInsecureHttp: flag.optional(),
});

/** Where users or groups are found in the directory. */
export const LocationSchema = z.strictObject({
  baseDn: text('a DN such as "ou=people,dc=example,dc=com"'),
  scope: z.enum(['base', 'one', 'sub'], { error: expecting("'base', 'one' or 'sub'") }).optional(),
  filter: text('an LDAP filter such as "(department=Sales)"').optional(),
  groupDn: text('the DN of a group').optional(),
  nested: flag.optional(),
  objectClasses: z
    .array(text('an object class name'))
    .min(1, { error: expecting('at least one class') })
    .optional(),
  attributes: z.array(text('an attribute name')).optional(),
});

/** How a user's account status is read. */
export const AccountStatusSchema = z.discriminatedUnion(
  'algorithm',
  [
    z.strictObject({ algorithm: z.literal('active-directory') }),
    z.strictObject({
      algorithm: z.literal('flag'),
      attribute: text('an attribute name'),
      value: z.string({ error: expecting('a string') }).optional(),
      statusWhenMatched: z
        .enum(['enabled', 'disabled'], { error: expecting("'enabled' or 'disabled'") })
        .optional(),
    }),
    z.strictObject({ algorithm: z.literal('none') }),
  ],
  { error: expecting(`{ "algorithm": 'active-directory' | 'flag' | 'none', … }`) },
);

/** The directory to read. */
export const SourceSchema = z.strictObject({
  type: z.literal('ldap', { error: expecting("'ldap'") }).optional(),
  directory: z.enum(['active-directory', 'ldapv3'], { error: expecting("'active-directory' or 'ldapv3'") }),
  urls: z.union(
    [
      text('an ldap:// or ldaps:// URL'),
      z
        .array(text('an ldap:// or ldaps:// URL'))
        .min(1, { error: expecting('at least one ldap:// or ldaps:// URL') }),
    ],
    {
      error: expecting('an ldap:// or ldaps:// URL, or a list of them'),
    },
  ),
  bindDn: text('a DN (or, on Active Directory, a user principal name)').optional(),
  bindPassword: SecretSchema.optional(),
  tls: z
    .strictObject({
      caFile: text('the path of a PEM file').optional(),
      servername: text('a host name').optional(),
      rejectUnauthorized: flag.optional(),
      startTls: flag.optional(),
    })
    .optional(),
  users: LocationSchema,
  groups: LocationSchema.optional(),
  entryGuidAttribute: text('an attribute name').optional(),
  memberOfGroupAttribute: text('an attribute name').nullable().optional(),
  groupMemberAttribute: text('an attribute name').optional(),
  memberUidAttribute: text('an attribute name').optional(),
  groupNameAttribute: text('an attribute name').optional(),
  changedUsersAlgorithm: z
    .enum(['usn', 'timestamp', 'timestamp-no-negation'], {
      error: expecting("'usn', 'timestamp' or 'timestamp-no-negation'"),
    })
    .optional(),
  timestampAttribute: text('an attribute name').optional(),
  clockSkewAllowance: wholeNumber(0, 86_400_000).optional(),
  accountStatus: AccountStatusSchema.optional(),
  defaultStatus: z.enum(['enabled', 'disabled'], { error: expecting("'enabled' or 'disabled'") }).optional(),
  pageSize: wholeNumber(1, 100_000).optional(),
  connectTimeout: positiveMilliseconds.optional(),
  operationTimeout: positiveMilliseconds.optional(),
  reconnectAttempts: wholeNumber(0, 100).optional(),
  binaryAttributes: z.array(text('an attribute name')).optional(),
});

const TransformSchema = z.enum(['trim', 'lower', 'upper'], {
  error: expecting("'trim', 'lower' or 'upper'"),
});
const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);

/** One mapping line: a source attribute name, or a rule. */
export const MappingEntrySchema = z.union(
  [
    text('a source attribute name'),
    z.strictObject({
      from: text('a source attribute name'),
      transform: z.union([TransformSchema, z.array(TransformSchema)]).optional(),
      createOnly: flag.optional(),
      default: z.union([ScalarSchema, z.array(ScalarSchema)]).optional(),
    }),
  ],
  {
    error: expecting(
      'a source attribute name, or { "from": …, "transform"?: …, "createOnly"?: …, "default"?: … }',
    ),
  },
);

/** The attribute mapping. */
export const MappingSchema = z.strictObject({
  preset: z
    .enum(['active-directory', 'ldapv3', 'none'], {
      error: expecting("'active-directory', 'ldapv3' or 'none'"),
    })
    .optional(),
  users: z.record(z.string(), MappingEntrySchema.nullable()).optional(),
  groups: z.record(z.string(), MappingEntrySchema).optional(),
});

const PINGONE_REGIONS = ['com', 'eu', 'ca', 'com.au', 'sg', 'asia'] as const;

/** What both identity providers' settings share: their metadata and what they send as the subject. */
const idpCommon = {
  metadataFile: text('the path of the IdP metadata XML file').optional(),
  entityId: text('the IdP entityID, to pick it in metadata holding several').optional(),
  subjectAttribute: text('the directory attribute the IdP sends as the SAML subject').optional(),
  nameIdFormat: text('a NameID format URI').optional(),
};

/** Browser SSO: the application (SP), the identity provider, the deep link, the certificate window. */
export const SsoSchema = z.strictObject({
  sp: z.strictObject({
    metadataFile: text('the path of the application (SP) metadata XML file').optional(),
    entityId: text('the application (SP) entityID').optional(),
    signInUrl: httpUrl.optional(),
    relayStateParameter: text('a query parameter name').nullable().optional(),
  }),
  idp: z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('pingfederate'),
        host: text('the PingFederate runtime host, such as "pf.example.com:9031"'),
        ...idpCommon,
      }),
      z.strictObject({
        type: z.literal('pingone'),
        region: z
          .enum(PINGONE_REGIONS, { error: expecting(`one of ${PINGONE_REGIONS.join(', ')}`) })
          .optional(),
        authHost: httpUrl.optional(),
        environmentId: text('the PingOne environment ID (a UUID)').optional(),
        ...idpCommon,
      }),
    ],
    {
      error: expecting(
        `{ "type": "pingfederate", "host": … } or { "type": "pingone", "region": …, "environmentId": … }`,
      ),
    },
  ),
  targetResource: text('the deep link to open after sign-in').optional(),
  certificateWarningDays: wholeNumber(0, 3650).optional(),
});

/** The whole configuration file. */
export const ConfigSchema = z.strictObject({
  target: TargetSchema,
  source: SourceSchema,
  mapping: MappingSchema.optional(),
  users: z
    .strictObject({
      create: flag.optional(),
      update: flag.optional(),
      disable: flag.optional(),
      delete: flag.optional(),
      removeAction: z.enum(['disable', 'delete'], { error: expecting("'disable' or 'delete'") }).optional(),
      provisionDisabled: flag.optional(),
    })
    .optional(),
  groups: z
    .strictObject({
      create: flag.optional(),
      update: flag.optional(),
      delete: flag.optional(),
    })
    .optional(),
  match: z
    .strictObject({
      users: text(
        "'userName', 'emails.work' or a filter template such as 'externalId eq \"{employeeNumber}\"'",
      ),
    })
    .partial()
    .optional(),
  safety: z
    .strictObject({
      deletionThreshold: z.union(
        [
          wholeNumber(0, Number.MAX_SAFE_INTEGER),
          z
            .string()
            .regex(/^\s*\d+(?:\.\d+)?\s*%\s*$/, { error: expecting("a count (50) or a percentage ('5%')") }),
        ],
        { error: expecting("a count (50) or a percentage ('5%')") },
      ),
    })
    .partial()
    .optional(),
  state: z
    .strictObject({ file: text('a file path') })
    .partial()
    .optional(),
  concurrency: wholeNumber(1, 256).optional(),
  pageSize: wholeNumber(1, 10_000).optional(),
  clear: z.enum(['null', 'omit'], { error: expecting("'null' or 'omit'") }).optional(),
  sso: SsoSchema.optional(),
});

/** The configuration file as written (before secrets and paths are resolved). */
export type ConfigInput = z.input<typeof ConfigSchema>;

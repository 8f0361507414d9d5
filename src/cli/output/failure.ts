/**
 * What went wrong when a command could not do its work, in words a person can act on, with the
 * exit code it stands for. The SDK's errors already name the option or server at fault and carry
 * no secret; this adds where to look in the configuration.
 *
 * @module
 */
import { isDatastoreError } from '../../datastore/errors/DatastoreError';
import { isLdapAuthenticationError } from '../../datastore/errors/LdapAuthenticationError';
import { isLdapConfigError } from '../../datastore/errors/LdapConfigError';
import { isLdapConnectionError } from '../../datastore/errors/LdapConnectionError';
import { isLdapSearchError } from '../../datastore/errors/LdapSearchError';
import { isLdapTimeoutError } from '../../datastore/errors/LdapTimeoutError';
import { isLdapTransportError } from '../../datastore/errors/LdapTransportError';
import { isEngineOptionsError } from '../../engine/errors/EngineOptionsError';
import { isStateTargetMismatchError } from '../../engine/errors/StateTargetMismatchError';
import { isSyncAbortedError } from '../../engine/errors/SyncAbortedError';
import { isMappingError } from '../../engine/mapping/MappingError';
import { isStateStoreError } from '../../engine/state/StateStoreError';
import { isCliConfigError } from '../errors/CliConfigError';
import { isUsageError } from '../errors/UsageError';
import { ExitCode, type ExitCodeValue } from '../exit-codes';

/** A failure, described. */
export interface FailureDescription {
  /** One line: what failed. */
  readonly headline: string;
  /** Further lines: the problems, and what to check. */
  readonly details: readonly string[];
  readonly exitCode: ExitCodeValue;
}

const SOURCE_FIELDS: Readonly<Record<string, string>> = {
  ca: 'source.tls.caFile',
  servername: 'source.tls.servername',
  rejectUnauthorized: 'source.tls.rejectUnauthorized',
  startTls: 'source.tls.startTls',
};

/**
 * Describes an error thrown while loading the configuration, building the SDK objects, or
 * running a cycle.
 *
 * @example
 * ```ts
 * const failure = describeFailure(error);
 * io.stderr.write(`${failure.headline}\n`);
 * return failure.exitCode;
 * ```
 */
export function describeFailure(error: unknown): FailureDescription {
  const configuration = ExitCode.configOrConnection;
  if (isUsageError(error)) {
    const help =
      error.command === undefined
        ? 'aquera-provisioner --help'
        : `aquera-provisioner ${error.command} --help`;
    return { headline: error.message, details: [`See ${help}.`], exitCode: configuration };
  }
  if (isCliConfigError(error)) {
    const [headline = error.message, ...details] = error.message.split('\n');
    return { headline, details: [...details, 'See docs/configuration.md.'], exitCode: configuration };
  }
  if (isLdapConfigError(error)) {
    const field = SOURCE_FIELDS[error.field] ?? `source.${error.field}`;
    const problem = error.message.startsWith(`${error.field}: `)
      ? error.message.slice(error.field.length + 2)
      : error.message;
    return {
      headline: 'The directory settings are not usable.',
      details: [`  ${field}: ${problem}`, 'See docs/configuration.md.'],
      exitCode: configuration,
    };
  }
  if (isEngineOptionsError(error)) {
    return {
      headline: 'The provisioning settings are not usable.',
      details: [`  ${error.option}: ${error.message.replace(/^ProvisioningEngine option \S+ /, '')}`],
      exitCode: configuration,
    };
  }
  if (isMappingError(error)) {
    return {
      headline: 'The attribute mapping does not fit.',
      details: [`  mapping: ${error.message}`, 'See docs/configuration.md (mapping).'],
      exitCode: configuration,
    };
  }
  if (error instanceof TypeError && /^(?:ScimClient|AqueraClient) option/.test(error.message)) {
    const option = /option "([^"]+)"/.exec(error.message)?.[1];
    const field =
      option === undefined || option === 'url' || option === 'baseUrl' ? 'target.url' : `target.${option}`;
    return {
      headline: 'The target settings are not usable.',
      details: [`  ${field}: ${error.message.replace(/^\S+ option "[^"]+" /, '')}`],
      exitCode: configuration,
    };
  }
  if (isLdapAuthenticationError(error)) {
    return {
      headline: 'The directory refused the bind.',
      details: [
        `  ${error.message}`,
        'Check source.bindDn and source.bindPassword (and that the account is not locked).',
      ],
      exitCode: configuration,
    };
  }
  if (isLdapConnectionError(error) || isLdapTimeoutError(error) || isLdapTransportError(error)) {
    return {
      headline: 'The directory cannot be reached.',
      details: [
        `  ${error.message}`,
        'Check source.urls, the network, and for LDAPS source.tls (caFile, servername).',
      ],
      exitCode: configuration,
    };
  }
  if (isLdapSearchError(error)) {
    return {
      headline: 'The directory could not be read.',
      details: [
        `  ${error.message}`,
        "Check source.users and source.groups (base DNs, filters) and the account's read rights.",
      ],
      exitCode: configuration,
    };
  }
  if (isDatastoreError(error)) {
    return {
      headline: 'The directory could not be read.',
      details: [`  ${error.message}`],
      exitCode: configuration,
    };
  }
  if (isSyncAbortedError(error)) {
    const hints: Record<string, string> = {
      authentication: 'Check target.auth: the target refused the credentials.',
      authorization: 'The target accepted the credentials but refuses this account the operation.',
      tls: 'Check target.tls (caFile) and the certificate of the target.',
      dns: 'Check target.url: the host name does not resolve.',
      connection: 'Check target.url and the network: nothing answers there.',
      timeout: 'The target does not answer in time: check target.url, the network, or raise target.timeout.',
      unavailable: 'The target says it is unavailable: try again later.',
    };
    const applied =
      error.report === undefined
        ? []
        : [`  What was done before the stop is saved; the next run carries on from there.`];
    return {
      headline: 'The target cannot be used.',
      details: [`  ${error.message}`, ...applied, hints[error.reason] ?? 'Check the target settings.'],
      exitCode: configuration,
    };
  }
  if (isStateTargetMismatchError(error)) {
    return {
      headline: 'The state file belongs to another target.',
      details: [`  ${error.message}`, 'Give each target its own state.file.'],
      exitCode: configuration,
    };
  }
  if (isStateStoreError(error)) {
    return {
      headline: 'The state file cannot be used.',
      details: [`  ${error.message}`],
      exitCode: configuration,
    };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { headline: 'Unexpected error.', details: [`  ${message}`], exitCode: ExitCode.failures };
}

/**
 * `aquera-provisioner sso links` and `sso check`: browser SSO alongside provisioning, from the
 * configuration's `sso` section (docs/provisioning-and-sso.md).
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { compileMapping } from '../../engine/mapping/compile';
import { isMappingError } from '../../engine/mapping/MappingError';
import { mapUser } from '../../engine/mapping/map';
import type { SsoCheck, SsoCheckReport, SsoFindingLevel } from '../../sso/checks/report';
import { runSsoChecks } from '../../sso/checks/run';
import { isSsoError } from '../../sso/errors/SsoError';
import { isSsoLinkError } from '../../sso/errors/SsoLinkError';
import { pingFederateIdpInitiatedUrl } from '../../sso/links/pingfederate';
import { pingOneIdpInitiatedUrl } from '../../sso/links/pingone';
import { spInitiatedUrl } from '../../sso/links/sp-initiated';
import { readSamlMetadata } from '../../sso/metadata/read';
import type { SamlEntity } from '../../sso/metadata/types';
import type { SsoArguments } from '../args';
import { type CliConfig, loadConfig, type SsoSettings } from '../config/load';
import { CliConfigError } from '../errors/CliConfigError';
import { ExitCode, type ExitCodeValue } from '../exit-codes';
import { formatSeconds } from '../output/progress';
import type { Style } from '../output/style';
import { renderTable } from '../output/table';
import { createRuntime } from '../runtime';
import type { CommandContext } from './context';

/** The links of the configured application. */
export interface SsoLinks {
  /** The application's SP entity ID. */
  readonly spEntityId: string;
  /** The identity provider the links start at. */
  readonly idp: 'pingfederate' | 'pingone';
  /** The IdP-initiated link (PingFederate's `startSSO.ping` or PingOne's `startsso`). */
  readonly idpInitiated: string;
  /** The SP-initiated link: `sso.sp.signInUrl` with the target; absent when no sign-in URL is configured. */
  readonly spInitiated?: string;
}

/** A directory user found by `sso links --user`. */
export interface SsoUser {
  readonly id: string;
  readonly dn?: string;
  /** The userName the user is provisioned with: the SAML subject the IdP must send. */
  readonly userName: string;
  readonly disabled: boolean;
}

/** Runs `sso links` or `sso check`. */
export async function runSso(args: SsoArguments, context: CommandContext): Promise<ExitCodeValue> {
  const config = await loadConfig(args.config, { env: context.io.env, cwd: context.io.cwd });
  context.redactor.add(config.secrets);
  const sso = config.sso;
  if (sso === undefined) {
    throw new CliConfigError(config.file, [
      { field: 'sso', message: 'is required by the sso commands (see docs/provisioning-and-sso.md)' },
    ]);
  }
  return args.subcommand === 'links'
    ? runLinks(args, config, sso, context)
    : runCheck(args, config, sso, context);
}

async function runLinks(
  args: SsoArguments,
  config: CliConfig,
  sso: SsoSettings,
  context: CommandContext,
): Promise<ExitCodeValue> {
  const sp = sso.sp.metadataFile === undefined ? undefined : await metadata(config, sso, 'sp');
  const spEntityId = sso.sp.entityId ?? sp?.entityId;
  if (spEntityId === undefined) {
    throw new CliConfigError(config.file, [
      { field: 'sso.sp', message: 'needs entityId or metadataFile (to know the application entity ID)' },
    ]);
  }
  const links = buildLinks(config, sso, spEntityId);
  let user: SsoUser | undefined;
  if (args.user !== undefined) {
    user = await findUser(config, context, args.user);
    if (user === undefined) {
      const message = `no user "${args.user}" in the directory's scope (looked for a provisioned userName or a directory id)`;
      if (args.json)
        context.out.json({ ok: false, exitCode: ExitCode.configOrConnection, error: { headline: message } });
      context.err.write(`${context.errStyle.fail} ${message}\n`);
      return ExitCode.configOrConnection;
    }
  }
  if (args.json) {
    context.out.json({ ok: true, exitCode: ExitCode.ok, links, ...(user === undefined ? {} : { user }) });
  } else {
    context.out.write(renderLinks(links, user, sso, context.outStyle));
  }
  return ExitCode.ok;
}

async function runCheck(
  args: SsoArguments,
  config: CliConfig,
  sso: SsoSettings,
  context: CommandContext,
): Promise<ExitCodeValue> {
  if (sso.sp.metadataFile === undefined) {
    throw new CliConfigError(config.file, [
      { field: 'sso.sp.metadataFile', message: 'is required by sso check (the NameID formats come from it)' },
    ]);
  }
  const sp = await metadata(config, sso, 'sp');
  const idp = sso.idp.metadataFile === undefined ? undefined : await metadata(config, sso, 'idp');
  const userNames = args.offline ? undefined : await directoryUserNames(config, context);
  const report = runSsoChecks({
    sp,
    userMapping: config.engine.mapping.users,
    ...(idp === undefined ? {} : { idp }),
    ...(sso.idp.nameIdFormat === undefined ? {} : { nameIdFormat: sso.idp.nameIdFormat }),
    ...(sso.idp.subjectAttribute === undefined ? {} : { subjectAttribute: sso.idp.subjectAttribute }),
    ...(userNames === undefined ? {} : { userNames }),
    ...(sso.certificateWarningDays === undefined ? {} : { withinDays: sso.certificateWarningDays }),
    now: new Date(context.now()),
  });
  const exitCode = report.ok ? ExitCode.ok : ExitCode.configOrConnection;
  if (args.json) {
    context.out.json({ ok: report.ok, exitCode, spEntityId: sp.entityId, report });
  } else {
    context.out.write(renderSsoReport(report, sp.entityId, context.outStyle));
  }
  return exitCode;
}

/** Reads the SP's or the IdP's metadata file; problems become configuration errors naming the field. */
async function metadata(config: CliConfig, sso: SsoSettings, role: 'sp' | 'idp'): Promise<SamlEntity> {
  const part = role === 'sp' ? sso.sp : sso.idp;
  const field = `sso.${role}.metadataFile`;
  const file = part.metadataFile ?? '';
  let document: Buffer;
  try {
    document = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliConfigError(config.file, [{ field, message: `cannot read ${file} (${code})` }]);
  }
  try {
    return readSamlMetadata(document, {
      role,
      ...(part.entityId === undefined ? {} : { entityId: part.entityId }),
    });
  } catch (error) {
    if (isSsoError(error))
      throw new CliConfigError(config.file, [{ field, message: error.message }], { cause: error });
    throw error;
  }
}

function buildLinks(config: CliConfig, sso: SsoSettings, spEntityId: string): SsoLinks {
  const target = sso.targetResource;
  const idp = sso.idp;
  try {
    const idpInitiated =
      idp.type === 'pingfederate'
        ? pingFederateIdpInitiatedUrl({
            host: idp.host,
            partnerSpId: spEntityId,
            ...(target === undefined ? {} : { targetResource: target }),
          })
        : pingOneIdpInitiatedUrl({
            ...(idp.region === undefined ? {} : { region: idp.region }),
            ...(idp.authHost === undefined ? {} : { authHost: idp.authHost }),
            ...(idp.environmentId === undefined ? {} : { environmentId: idp.environmentId }),
            spEntityId,
            ...(target === undefined ? {} : { applicationUrl: target }),
          });
    const spInitiated =
      sso.sp.signInUrl === undefined
        ? undefined
        : spInitiatedUrl({
            signInUrl: sso.sp.signInUrl,
            ...(target === undefined || sso.sp.relayStateParameter === null ? {} : { relayState: target }),
            ...(sso.sp.relayStateParameter === undefined
              ? {}
              : { relayStateParameter: sso.sp.relayStateParameter }),
          });
    return { spEntityId, idp: idp.type, idpInitiated, ...(spInitiated === undefined ? {} : { spInitiated }) };
  } catch (error) {
    if (isSsoLinkError(error)) {
      const field = LINK_FIELDS[error.field] ?? 'sso';
      throw new CliConfigError(config.file, [{ field, message: error.message.replace(/^[^:]+: /, '') }], {
        cause: error,
      });
    }
    throw error;
  }
}

/** The link builders' option names -> the configuration's field paths. */
const LINK_FIELDS: Readonly<Record<string, string>> = {
  host: 'sso.idp.host',
  region: 'sso.idp.region',
  authHost: 'sso.idp.authHost',
  environmentId: 'sso.idp.environmentId',
  partnerSpId: 'sso.sp.entityId',
  spEntityId: 'sso.sp.entityId',
  targetResource: 'sso.targetResource',
  applicationUrl: 'sso.targetResource',
  relayState: 'sso.targetResource',
  signInUrl: 'sso.sp.signInUrl',
  relayStateParameter: 'sso.sp.relayStateParameter',
};

/**
 * The users the engine would provision, each mapped to its userName. Users whose mapping fails are
 * left out (sync reports them); disabled users count only with `users.provisionDisabled`.
 */
async function* provisionedUsers(config: CliConfig, context: CommandContext): AsyncGenerator<SsoUser> {
  const runtime = createRuntime(config, context.overrides);
  try {
    const compiled = compileMapping(config.engine.mapping.users);
    const includeDisabled = config.engine.users?.provisionDisabled === true;
    for await (const user of runtime.datastore.users()) {
      if (user.disabled && !includeDisabled) continue;
      let userName: unknown;
      try {
        userName = mapUser(compiled, user).resource.userName;
      } catch (error) {
        if (isMappingError(error)) continue;
        throw error;
      }
      if (typeof userName !== 'string') continue;
      yield {
        id: user.id,
        ...(user.dn === undefined ? {} : { dn: user.dn }),
        userName,
        disabled: user.disabled,
      };
    }
  } finally {
    await runtime.close({ saveState: false });
  }
}

async function directoryUserNames(config: CliConfig, context: CommandContext): Promise<string[]> {
  const names: string[] = [];
  for await (const user of provisionedUsers(config, context)) names.push(user.userName);
  return names;
}

async function findUser(
  config: CliConfig,
  context: CommandContext,
  name: string,
): Promise<SsoUser | undefined> {
  const wanted = name.toLowerCase();
  for await (const user of provisionedUsers(config, context)) {
    if (user.userName.toLowerCase() === wanted || user.id === name) return user;
  }
  return undefined;
}

function renderLinks(links: SsoLinks, user: SsoUser | undefined, sso: SsoSettings, style: Style): string {
  const rows: string[][] = [
    ['Application (SP)', links.spEntityId],
    ['Identity provider', links.idp === 'pingfederate' ? 'PingFederate' : 'PingOne'],
  ];
  if (sso.targetResource !== undefined) rows.push(['Target (RelayState)', sso.targetResource]);
  if (user !== undefined) {
    rows.push(['User', `${user.dn ?? user.id}${user.disabled ? style.yellow(' (disabled)') : ''}`]);
    rows.push([
      'Signs in as',
      `${style.bold(user.userName)} ${style.dim('(the SAML subject the IdP must send)')}`,
    ]);
  }
  rows.push(['', '']);
  rows.push(['IdP-initiated', links.idpInitiated]);
  rows.push([
    'SP-initiated',
    links.spInitiated ?? style.dim('not configured: set sso.sp.signInUrl to the application sign-in URL'),
  ]);
  return renderTable(rows).replace(/^[ \t]+$/gm, '');
}

const LEVEL_MARK: Readonly<Record<SsoFindingLevel, (style: Style) => string>> = {
  error: (style) => style.fail,
  warning: (style) => style.warn,
  info: (style) => style.dim('i'),
};

/** The report as text: one row per check, its findings under it, then a verdict. */
export function renderSsoReport(report: SsoCheckReport, spEntityId: string, style: Style): string {
  const lines = [`${style.bold('SSO')}  ${spEntityId}`];
  // One table for the checks, so that their columns line up; each check's findings under its row.
  const rows = renderTable(report.checks.map((check) => checkRow(check, style)))
    .trimEnd()
    .split('\n');
  report.checks.forEach((check, index) => {
    lines.push(rows[index] ?? check.name);
    for (const finding of check.findings) {
      lines.push(`     ${LEVEL_MARK[finding.level](style)} ${finding.code}: ${finding.message}`);
      if (finding.examples !== undefined)
        lines.push(`       ${style.dim(`e.g. ${finding.examples.join(', ')}`)}`);
    }
  });
  const errors = report.checks
    .flatMap((check) => check.findings)
    .filter((finding) => finding.level === 'error');
  lines.push('');
  lines.push(
    errors.length === 0
      ? `${style.ok} A provisioned user can sign in: no check found an error.`
      : `${style.fail} ${errors.length} error${errors.length === 1 ? '' : 's'}: provisioned users may not be able to sign in.`,
  );
  return `${lines.join('\n')}\n`;
}

function checkRow(check: SsoCheck, style: Style): string[] {
  return [
    check.skipped === true ? style.dim('-') : check.ok ? style.ok : style.fail,
    check.name,
    check.skipped === true ? style.dim(check.detail) : check.ok ? check.detail : style.red(check.detail),
    check.skipped === true ? '' : style.dim(formatSeconds(check.durationMs)),
  ];
}

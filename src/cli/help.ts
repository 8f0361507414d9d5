/**
 * The help texts of `aquera-provisioner`: the overview and one page per command. docs/cli.md
 * carries the same content; a test checks that every option listed here is documented there.
 *
 * @module
 */

/** The commands, in the order the overview lists them. */
export const COMMANDS = ['sync', 'plan', 'test-connection', 'watch', 'sso', 'demo'] as const;

/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

const EXIT_CODES = `Exit codes:
  0  done (a dry run or plan: planned without errors)
  1  the cycle ran but some operations failed (retried next cycle), or an unexpected error
  2  bad command line or configuration, or the directory or target cannot be used
     (connection, credentials, TLS)
  3  removals held: more than the deletion threshold; rerun with --allow-removals if right`;

/** The overview: `aquera-provisioner --help`. */
export const OVERVIEW = `aquera-provisioner: provision users and groups from Active Directory or LDAP
to Aquera (or any SCIM 2.0 service).

Usage:
  aquera-provisioner <command> [options]

Commands:
  sync              run one provisioning cycle
  plan              show what a sync would do, without writing anything
  test-connection   check the target (SCIM) and the directory (LDAP bind and search)
  watch             run a cycle now and then every --interval, until stopped
  sso links         print the IdP- and SP-initiated sign-in links of the application
  sso check         check that the SAML NameID matches the provisioned userName,
                    and the SP's and IdP's signing certificates
  demo              see a sync on a built-in directory and SCIM server (no set-up)

Options:
  -c, --config FILE   the configuration file (JSON; see docs/configuration.md)
  -h, --help          help (also: aquera-provisioner <command> --help)
  -V, --version       the version

Secrets in the configuration can come from environment variables:
  "bindPassword": { "env": "LDAP_PASSWORD" }

${EXIT_CODES}
`;

/** Each command's help page. */
export const COMMAND_HELP: Readonly<Record<CommandName, string>> = {
  sync: `Usage: aquera-provisioner sync --config FILE [options]

Runs one provisioning cycle: reads the directory (only what changed since the last
cycle, when it can), updates the target, saves the state, prints a summary.

Options:
  -c, --config FILE      the configuration file (required)
      --dry-run          plan and report, write nothing (target and state untouched)
      --full             read the whole directory and reconcile against the target
      --allow-removals   apply removals held by the deletion threshold
      --json             print the report as JSON on stdout (no progress, no table)
      --log-file FILE    append each operation as a JSON line to FILE
  -h, --help             this help

${EXIT_CODES}
`,
  plan: `Usage: aquera-provisioner plan --config FILE [options]

Shows, operation by operation, what a sync would do now. Reads the directory and
the target; writes nothing.

Options:
  -c, --config FILE      the configuration file (required)
      --full             plan a full cycle
      --allow-removals   show held removals as operations
      --json             print the plan as JSON on stdout
  -h, --help             this help

${EXIT_CODES}
`,
  'test-connection': `Usage: aquera-provisioner test-connection --config FILE [options]

Checks the target (DNS, TCP, TLS, credentials, a read of /Users, discovery) and the
directory (connect, bind, rootDSE, and the users and groups in scope), and says
what failed.

Options:
  -c, --config FILE      the configuration file (required)
      --json             print the checks as JSON on stdout
  -h, --help             this help

Exit codes: 0 when every check passed, 2 otherwise.
`,
  watch: `Usage: aquera-provisioner watch --config FILE [--interval 15m] [options]

Runs a cycle now, then one every --interval after the previous one ended, until
SIGINT (Ctrl-C) or SIGTERM. On the first signal the cycle in flight finishes and
the state is saved; a second signal stops at once (what was applied is kept).
Held removals wait for a person: run sync --allow-removals.

Options:
  -c, --config FILE      the configuration file (required)
      --interval TIME    time between cycles: 90s, 15m, 1h (default 15m)
      --json             one JSON report per cycle on stdout
      --log-file FILE    append each operation as a JSON line to FILE
  -h, --help             this help

Exit codes: 0 when stopped by a signal, 2 when the configuration is not usable.
`,
  sso: `Usage: aquera-provisioner sso links --config FILE [--user NAME] [options]
       aquera-provisioner sso check --config FILE [--offline] [options]

Browser SSO alongside provisioning, from the configuration's "sso" section
(docs/provisioning-and-sso.md).

sso links prints the IdP-initiated link (PingFederate or PingOne) and the
SP-initiated link of the application, with the target (deep link) as RelayState.
With --user, it also finds the user in the directory and shows the userName they
are provisioned with: the name the IdP must send as the SAML subject.

sso check reads the SP's (and IdP's) metadata, checks the NameID format against
the userName mapping and the directory's userNames (unique case-insensitively),
and reports signing certificates expired or expiring within
sso.certificateWarningDays (default 30).

Options:
  -c, --config FILE      the configuration file (required)
      --user NAME        sso links: the user (userName, or directory id) to show
      --offline          sso check: check the mapping and metadata only, without
                         reading the directory
      --json             print the links or the report as JSON on stdout
  -h, --help             this help

Exit codes: 0 when the links are printed, or when no check found an error;
2 when a check found an error (like a failed test-connection), or the
configuration, metadata or directory cannot be used.
`,
  demo: `Usage: aquera-provisioner demo

Starts an LDAP directory in this process, seeded with a fictional company of about
250 people (examples/demo-company.ldif), and a SCIM 2.0 server, then syncs, changes
the directory (a rename, a leaver, a joiner, a move), syncs again and tells you what
happened. Needs nothing else and leaves nothing behind.

Options:
  -h, --help             this help
`,
};

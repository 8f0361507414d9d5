import { registerScimErrorName, ScimError } from './ScimError';

/** One problem found while validating a SCIM document. */
export interface ScimValidationIssue {
  /** Where the problem is, from the document root, e.g. `['Resources', 3, 'members', 0]`. */
  readonly path: readonly (string | number)[];
  /** What is wrong there, in words. */
  readonly message: string;
  /** The zod issue code, when zod found it. */
  readonly code?: string;
}

/**
 * A SCIM document (a response body, a request body, a configuration object) does not have the
 * shape RFC 7643/7644 require. Distinct from an HTTP failure: the exchange itself worked.
 *
 * The message names the first problem's path, e.g. `Resources[3].members[0]: expected object`.
 */
export class ScimValidationError extends ScimError {
  override name = 'ScimValidationError';
  /** Every problem found, each with its path. */
  readonly issues: readonly ScimValidationIssue[];
  /** What was being validated, e.g. `User` or `ListResponse<Group>`. */
  readonly what: string;

  constructor(what: string, issues: readonly ScimValidationIssue[], options?: { cause?: unknown }) {
    super(`Invalid SCIM ${what}: ${formatIssues(issues)}`, options);
    this.what = what;
    this.issues = issues;
  }
}
registerScimErrorName('ScimValidationError');

/** Renders a path as `Resources[3].members[0].value`. */
export function formatIssuePath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(root)' : out;
}

function formatIssues(issues: readonly ScimValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return shown.join('; ') + more;
}

/** True when `value` is a {@link ScimValidationError} from any copy of this package. */
export function isScimValidationError(value: unknown): value is ScimValidationError {
  return value instanceof Error && value.name === 'ScimValidationError';
}

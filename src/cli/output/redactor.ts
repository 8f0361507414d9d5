/**
 * The last line of defence for secrets: every piece of text the command line prints or logs goes
 * through a {@link Redactor} that blanks out each secret value the configuration holds. (The SDK
 * already keeps secrets out of its errors and events; this guards what the command line adds.)
 *
 * @module
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/** Shorter values are not blanked out, so as not to blank out common words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Replaces known secret values in text.
 *
 * @example
 * ```ts
 * const redactor = new Redactor(['s3cret-token']);
 * redactor.text('token s3cret-token refused'); // 'token [REDACTED] refused'
 * ```
 */
export class Redactor {
  #secrets: string[] = [];

  constructor(secrets: readonly string[] = []) {
    this.add(secrets);
  }

  /** Adds secrets to blank out (longest first, so that one secret inside another goes too). */
  add(secrets: readonly string[]): void {
    const all = new Set([
      ...this.#secrets,
      ...secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH),
    ]);
    this.#secrets = [...all].sort((left, right) => right.length - left.length);
  }

  /** `value` with every secret replaced by `[REDACTED]`. */
  text(value: string): string {
    let out = value;
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
}

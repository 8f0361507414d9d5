/**
 * The `Authorization` header of each request, and the one refresh of a provided token after a `401`.
 */
import type { ScimAuth } from './options';

/** The most token values remembered for redaction (older ones are forgotten). */
const MAX_REMEMBERED_SECRETS = 16;

/**
 * The literal secrets a client must blank out of everything it reports: the configured token or
 * password, and every token a `getToken` function has returned.
 */
export class SecretStore {
  private readonly fixed: readonly string[];
  private readonly learned: string[] = [];

  constructor(initial: readonly string[]) {
    this.fixed = [...initial];
  }

  /** Remembers a secret (a freshly obtained token). */
  add(secret: string): void {
    if (secret.length === 0 || this.fixed.includes(secret) || this.learned.includes(secret)) return;
    this.learned.push(secret);
    if (this.learned.length > MAX_REMEMBERED_SECRETS) this.learned.shift();
  }

  /** Every secret to blank out, longest first (so that a secret containing another is blanked whole). */
  get values(): readonly string[] {
    return [...this.fixed, ...this.learned].sort((a, b) => b.length - a.length);
  }
}

/**
 * Gives the `Authorization` header for the configured {@link ScimAuth}. With `getToken`, the token
 * is fetched before the first request and kept; {@link AuthHeaders.refresh} fetches a new one after
 * a `401`, once for all the requests that got the `401` with the same token.
 */
export class AuthHeaders {
  private readonly auth: ScimAuth | undefined;
  private readonly secrets: SecretStore;
  private current: Promise<string> | undefined;

  constructor(auth: ScimAuth | undefined, secrets: SecretStore) {
    this.auth = auth;
    this.secrets = secrets;
  }

  /** True when a `401` can be answered by fetching a new token. */
  get canRefresh(): boolean {
    return this.auth !== undefined && 'getToken' in this.auth;
  }

  /** The header value (`Bearer …` or `Basic …`), or `undefined` without auth. */
  async header(): Promise<string | undefined> {
    const auth = this.auth;
    if (auth === undefined) return undefined;
    if (auth.type === 'basic') {
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    if ('token' in auth) return `Bearer ${auth.token}`;
    this.current ??= this.fetchToken();
    return `Bearer ${await this.current}`;
  }

  /**
   * Fetches a new token after a `401` answered to a request sent with `usedHeader`. When another
   * request already refreshed it (the current header differs), the new one is used as it is.
   */
  async refresh(usedHeader: string | undefined): Promise<void> {
    if (!this.canRefresh) return;
    const pending = this.current;
    if (pending !== undefined) {
      const token = await pending.catch(() => undefined);
      if (token !== undefined && `Bearer ${token}` !== usedHeader) return;
      if (this.current !== pending) {
        await this.current;
        return;
      }
    }
    this.current = this.fetchToken();
    await this.current;
  }

  private fetchToken(): Promise<string> {
    const auth = this.auth;
    if (auth === undefined || !('getToken' in auth)) return Promise.reject(new Error('no token provider'));
    const attempt = (async () => {
      const token = await auth.getToken();
      if (typeof token !== 'string' || token.trim() === '') {
        throw new TypeError('auth.getToken() must return a non-empty string');
      }
      this.secrets.add(token);
      return token;
    })();
    // A failed fetch must not be cached: the next request tries again.
    attempt.catch(() => {
      if (this.current === attempt) this.current = undefined;
    });
    return attempt;
  }
}

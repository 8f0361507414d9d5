/**
 * A collector of everything a run shows the outside world (errors with their stack and cause
 * chain, event payloads, reports, logs, files, CLI output), searched at the end for sentinel
 * secrets in every form they could leak in: as given, Base64 (Basic credentials), URL-encoded.
 */
import { inspect } from 'node:util';

/** Where a sentinel was found. */
export interface SecretLeak {
  readonly source: string;
  readonly form: string;
}

/** Collects texts and finds sentinels in them. */
export class SecretScan {
  private readonly texts: { source: string; text: string }[] = [];
  private readonly forms = new Map<string, string>();

  /** @param secrets - name to value, e.g. `{ token: 'sentinel-…' }`. */
  constructor(secrets: Readonly<Record<string, string>>) {
    for (const [name, value] of Object.entries(secrets)) this.addForms(name, value);
  }

  /** Adds the Basic credentials `username:password` in Base64 as a form to look for. */
  basic(name: string, username: string, password: string): void {
    this.forms.set(Buffer.from(`${username}:${password}`).toString('base64'), `${name} (Basic header)`);
  }

  /** Records anything: strings as they are, everything else through `util.inspect` at full depth. */
  add(source: string, value: unknown): void {
    if (typeof value === 'string') {
      this.texts.push({ source, text: value });
      return;
    }
    this.texts.push({
      source,
      text: inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true, getters: true }),
    });
    if (value instanceof Error) {
      // The stack and each cause, as a logger that prints them one by one would.
      let current: unknown = value;
      for (let depth = 0; current instanceof Error && depth < 20; depth += 1) {
        this.texts.push({
          source: `${source} (stack ${depth})`,
          text: `${current.stack ?? ''}\n${current.message}`,
        });
        current = current.cause;
      }
      try {
        this.texts.push({ source: `${source} (JSON)`, text: JSON.stringify(value) ?? '' });
      } catch {
        // Not serialisable: inspect above covers it.
      }
    }
  }

  /** How many texts were recorded. */
  get size(): number {
    return this.texts.length;
  }

  /** Every place a sentinel appears. */
  leaks(): SecretLeak[] {
    const found: SecretLeak[] = [];
    for (const { source, text } of this.texts) {
      for (const [form, label] of this.forms) if (text.includes(form)) found.push({ source, form: label });
    }
    return found;
  }

  private addForms(name: string, value: string): void {
    this.forms.set(value, name);
    this.forms.set(Buffer.from(value).toString('base64'), `${name} (Base64)`);
    this.forms.set(encodeURIComponent(value), `${name} (URL-encoded)`);
    this.forms.set(JSON.stringify(value).slice(1, -1), `${name} (JSON)`);
  }
}

/**
 * Whether the environment configures an HTTP proxy for a URL, by the rules axios follows (its
 * `proxy-from-env` dependency): `npm_config_<protocol>_proxy`, `<protocol>_proxy`,
 * `npm_config_proxy`, then `all_proxy` (each in lower, then upper case), unless `no_proxy` /
 * `NO_PROXY` excludes the host. The client sends through axios when this is true, so that
 * setting a proxy keeps working as it always did.
 */

/**
 * Tells whether a proxy applies to `url` under `env`.
 *
 * @example
 * ```ts
 * proxyConfiguredFor('https://scim.example.com/v2', { HTTPS_PROXY: 'http://proxy:3128' }); // true
 * proxyConfiguredFor('https://scim.example.com/v2', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.example.com' }); // false
 * ```
 */
export function proxyConfiguredFor(url: string, env: Readonly<Record<string, string | undefined>>): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const protocol = parsed.protocol.replace(/:$/, '').toLowerCase();
  const hostname = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (protocol === '' || hostname === '') return false;
  const port =
    parsed.port === '' ? (protocol === 'https' ? 443 : protocol === 'http' ? 80 : 0) : Number(parsed.port);
  const proxy =
    read(env, `npm_config_${protocol}_proxy`) ??
    read(env, `${protocol}_proxy`) ??
    read(env, 'npm_config_proxy') ??
    read(env, 'all_proxy');
  if (proxy === undefined) return false;
  return !excluded(hostname, port, read(env, 'npm_config_no_proxy') ?? read(env, 'no_proxy') ?? '');
}

function read(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value === undefined || value === '' ? undefined : value;
}

function excluded(hostname: string, port: number, noProxy: string): boolean {
  const rules = noProxy.toLowerCase();
  if (rules === '*') return true;
  for (const rule of rules.split(/[,\s]/)) {
    if (rule === '') continue;
    const match = /^(.+):(\d+)$/.exec(rule);
    const ruleHost = match?.[1] ?? rule;
    const rulePort = match?.[2] === undefined ? 0 : Number(match[2]);
    if (rulePort !== 0 && rulePort !== port) continue;
    if (!/^[.*]/.test(ruleHost)) {
      if (hostname === ruleHost) return true;
      continue;
    }
    const suffix = ruleHost.startsWith('*') ? ruleHost.slice(1) : ruleHost;
    if (hostname.endsWith(suffix)) return true;
  }
  return false;
}

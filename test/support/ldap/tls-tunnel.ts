/**
 * A verifying TLS tunnel on 127.0.0.1: plain TCP in, TLS (checked against a given CA and server
 * name) out. It lets OpenLDAP's command-line tools talk to a server whose certificate names a host
 * that does not resolve here (Samba's `DC1.example.test`): libldap has no option to check a
 * certificate against another name than the URL's host, and turning the check off is not an option.
 * The tunnel does the check with Node's TLS stack instead; a certificate that does not verify makes
 * the tunnel drop the connection, so the tool fails.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Where the tunnel connects to, and how it verifies the server. */
export interface TlsTunnelTarget {
  host: string;
  port: number;
  /** The CA (PEM) the server certificate must chain to. */
  ca: string;
  /** The name the server certificate must carry (also sent as SNI). */
  servername: string;
}

/** An open tunnel. */
export interface TlsTunnel {
  /** `ldap://127.0.0.1:<port>`: point a plain LDAP client here. */
  url: string;
  /** The local port. */
  port: number;
  /** How many upstream TLS handshakes failed verification (or failed at all). */
  failedHandshakes(): number;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/** Opens a tunnel listening on 127.0.0.1 on a free port. */
export async function openTlsTunnel(target: TlsTunnelTarget): Promise<TlsTunnel> {
  const sockets = new Set<net.Socket>();
  let failed = 0;
  const server = net.createServer((plain) => {
    const upstream = tls.connect({
      host: target.host,
      port: target.port,
      ca: target.ca,
      servername: target.servername,
      rejectUnauthorized: true,
    });
    sockets.add(plain);
    sockets.add(upstream);
    const teardown = (): void => {
      plain.destroy();
      upstream.destroy();
      sockets.delete(plain);
      sockets.delete(upstream);
    };
    upstream.once('error', () => {
      if (!upstream.authorized) failed++;
      teardown();
    });
    plain.once('error', teardown);
    plain.once('close', teardown);
    upstream.once('close', teardown);
    plain.pipe(upstream);
    upstream.pipe(plain);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ldap://127.0.0.1:${port}`,
    port,
    failedHandshakes: () => failed,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}

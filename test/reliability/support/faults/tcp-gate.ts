/**
 * A TCP relay on 127.0.0.1 in front of a server, that can be shut (the port is closed: connections
 * are refused and open ones are cut) and opened again on the same port. A target "down" for a whole
 * cycle without losing what it stores, as a service behind a restarted load balancer is.
 *
 * @example
 * ```ts
 * const gate = await TcpGate.open(server.port);
 * const client = new ScimClient({ baseUrl: gate.rewrite(server.baseUrl) });
 * await gate.shut();   // ECONNREFUSED from now on
 * await gate.reopen(); // same port, traffic flows again
 * await gate.close();
 * ```
 */

import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A relay that can refuse connections on its port and accept them again. */
export class TcpGate {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** The port the gate listens on while open (kept while shut). */
  port = 0;

  private constructor(private readonly targetPort: number) {}

  /** Opens a gate on a free port relaying to `targetPort` on 127.0.0.1. */
  static async open(targetPort: number): Promise<TcpGate> {
    const gate = new TcpGate(targetPort);
    await gate.listen(0);
    return gate;
  }

  /** `url` (on 127.0.0.1) with its port replaced by the gate's. */
  rewrite(url: string): string {
    const parsed = new URL(url);
    parsed.port = String(this.port);
    return parsed.toString().replace(/\/+$/, '');
  }

  /** True while connections are accepted. */
  get isOpen(): boolean {
    return this.server !== undefined;
  }

  /** Stops listening and cuts every relayed connection: the port refuses connections. */
  async shut(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Listens again on the same port. */
  async reopen(): Promise<void> {
    if (this.server !== undefined) return;
    await this.listen(this.port);
  }

  /** Shuts the gate for good. */
  async close(): Promise<void> {
    await this.shut();
  }

  private async listen(port: number): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = connect(this.targetPort, '127.0.0.1');
      this.sockets.add(inbound);
      this.sockets.add(outbound);
      const cut = () => {
        inbound.destroy();
        outbound.destroy();
        this.sockets.delete(inbound);
        this.sockets.delete(outbound);
      };
      inbound.on('error', cut).on('close', cut);
      outbound.on('error', cut).on('close', cut);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }
}

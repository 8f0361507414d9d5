/**
 * A ScimTestServer in its own process, driven over the IPC channel by {@link startBenchServer}:
 * keeps the server's memory and CPU out of the benchmark process's figures.
 */
import { ScimTestServer } from '../../src/testing/ScimTestServer';
import type { ServerCommand, ServerReply } from './server-protocol';

let server: ScimTestServer | undefined;

function reply(message: ServerReply): void {
  process.send?.(message);
}

async function handle(message: ServerCommand): Promise<unknown> {
  switch (message.command) {
    case 'start':
      server = await ScimTestServer.start(message.options);
      return server.baseUrl;
    case 'stats':
      return running().stats();
    case 'resetStats':
      running().resetStats();
      return null;
    case 'counts':
      return running().counts();
    case 'memory':
      return process.memoryUsage();
    case 'cpu':
      return process.cpuUsage();
    case 'setRateLimit':
      running().setRateLimit(message.rateLimit ?? undefined);
      return null;
    case 'close':
      await server?.close();
      server = undefined;
      setImmediate(() => process.disconnect?.());
      return null;
  }
}

function running(): ScimTestServer {
  if (server === undefined) throw new Error('the server is not started');
  return server;
}

if (process.send === undefined) {
  console.error('server-child.ts runs as a child process of a benchmark (it needs an IPC channel)');
  process.exitCode = 2;
} else {
  process.on('message', (message: ServerCommand) => {
    handle(message).then(
      (value) => reply({ id: message.id, ok: true, value }),
      (error: unknown) => reply({ id: message.id, ok: false, error: String(error) }),
    );
  });
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => {
    void server?.close().finally(() => process.exit(0));
    if (server === undefined) process.exit(0);
  });
}

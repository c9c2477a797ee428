"use handloop";
/**
 * Host mode with TCP: an echo server on handloop's loop, one task per connection in a
 * `taskGroup`, each waiting for data under `timeout(IDLE, ...)`: a client that goes quiet for
 * longer is disconnected. The demo starts the server and two clients itself, under `runAsync`,
 * so Node's event loop does the networking while the tasks wait. Client "chatty" sends three
 * lines and then goes quiet until the server closes it; client "brief" sends one line and hangs
 * up.
 *
 *   npx tsx demos/echo-server.ts [--virtual]
 *
 * Sockets need the real clock, so `--virtual` is accepted, as by every demo, and changes nothing.
 */

import { once } from "node:events";
import { createServer, connect, type Socket } from "node:net";
import { asleep, fromPromise, gather, isCompiled, RealClock, runAsync, taskGroup, timeout, TimeoutError } from "../src/index.js";
import { demoCommandLine } from "./cli.js";

demoCommandLine(
  "npx tsx demos/echo-server.ts [--virtual]\n  --virtual  accepted, as by every demo: sockets need the real clock",
  ["virtual"],
);

const IDLE = 0.3; // seconds a connection may stay quiet
let started = 0;
const log = (line: string) => console.log(`${String(Math.round((performance.now() - started) / 50) * 50).padStart(5)} ms  ${line}`);

/** The next chunk from `socket`, or null once the other side hung up; a host wait the task can cancel. */
function nextChunk(socket: Socket): PromiseLike<string | null> {
  return fromPromise((signal) =>
    globalThis.Promise.race([
      once(socket, "data", { signal }).then(([chunk]) => String(chunk)),
      once(socket, "end", { signal }).then(() => null),
    ]),
  );
}

/** One connection: echo every line back, until the client hangs up or stays quiet for IDLE seconds. */
async function serve(socket: Socket, name: string): Promise<void> {
  try {
    for (;;) {
      const chunk = await timeout(IDLE, nextChunk(socket));
      if (chunk === null) {
        log(`server: ${name} hung up`);
        break;
      }
      socket.write(chunk);
    }
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    log(`server: ${name} quiet for ${IDLE} s: closing it`);
  } finally {
    socket.end();
  }
}

async function client(port: number, name: string, lines: string[], hangUp: boolean): Promise<void> {
  const socket = connect(port, "127.0.0.1");
  await fromPromise(once(socket, "connect"));
  socket.write(`${name}\n`);
  for (const line of lines) {
    await asleep(0.1);
    socket.write(line);
    log(`${name}: sent "${line}", got "${await nextChunk(socket)}" back`);
  }
  if (hangUp) {
    socket.end();
    return;
  }
  await fromPromise(once(socket, "close"));
  log(`${name}: the server closed the connection`);
}

async function main(): Promise<void> {
  await taskGroup(async (group) => {
    // Each connection is a task of the group, spawned by the server's (host) callback.
    const server = createServer((socket) => {
      group.spawn(
        (async () => {
          const hello = await nextChunk(socket); // the client's first line is its name
          await serve(socket, (hello ?? "?").trim());
        })(),
      );
    });
    server.listen(0, "127.0.0.1");
    await fromPromise(once(server, "listening"));
    const { port } = server.address() as { port: number };
    log(`server: listening on port ${port}`);
    await gather(client(port, "chatty", ["one", "two", "three"], false), client(port, "brief", ["ping"], true));
    server.close();
  });
}

if (isCompiled(main)) {
  started = performance.now();
  await runAsync(main, { clock: new RealClock() });
  log("done: every connection's task has ended");
} else {
  const { importCompiled } = await import("../src/register.js");
  await importCompiled(import.meta.url);
}

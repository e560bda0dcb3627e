/**
 * TCP listener: frames messages, records commands, dispatches them and writes replies.
 * Listens on 127.0.0.1 only, on an ephemeral port.
 */
import { Buffer } from "node:buffer";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import type { Document } from "bson";
import { HANDSHAKE_COMMANDS, runCommand } from "./commands.ts";
import type { CommandContext, ServerState } from "./commands.ts";
import { CursorRegistry } from "./cursors.ts";
import {
  MessageFramer,
  OP_MSG,
  OP_QUERY,
  REPLY_QUERY_FAILURE,
  encodeOpMsg,
  encodeOpReply,
  parseOpMsg,
  parseOpQuery,
  readHeader,
} from "./protocol.ts";
import { DataStore } from "./store.ts";
import type { RecordedCommand, WireServer, WireServerOptions } from "./types.ts";

const HOST = "127.0.0.1";

export async function startWireServer(options: WireServerOptions = {}): Promise<WireServer> {
  const state: ServerState = {
    store: new DataStore(options.databases, options.indexes),
    cursors: new CursorRegistry(),
    options,
  };
  const commands: RecordedCommand[] = [];
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;
  let nextRequestId = 1;
  // Fault injection (options.stall): commands answered so far, connections that completed their handshake.
  let answered = 0;
  let stalledSince: number | undefined;
  const shaken = new WeakSet<Socket>();
  const stallTimers = new Set<ReturnType<typeof setTimeout>>();

  /** True when this message must go unanswered (and schedules the bounded close of the socket). */
  const stalls = (socket: Socket, name: string): boolean => {
    const stall = options.stall;
    if (!stall) return false;
    const handshake = HANDSHAKE_COMMANDS.has(name) && !shaken.has(socket);
    shaken.add(socket);
    if (handshake) return false;
    if (stalledSince === undefined && answered < (stall.afterCommands ?? 0)) {
      answered++;
      return false;
    }
    stalledSince ??= Date.now();
    const left = Math.max(0, (stall.limitMs ?? 30_000) - (Date.now() - stalledSince));
    const timer = setTimeout(() => {
      stallTimers.delete(timer);
      socket.destroy();
    }, left);
    timer.unref();
    stallTimers.add(timer);
    return true;
  };

  const record = (db: string, body: Document): string => {
    const name = Object.keys(body)[0] ?? "";
    commands.push({ db, name, body: body as Record<string, unknown> });
    return name;
  };

  const handleMessage = (socket: Socket, ctxBase: Omit<CommandContext, "db">, msg: Buffer): void => {
    const header = readHeader(msg);
    if (header.opCode === OP_MSG) {
      const { body, moreToCome } = parseOpMsg(msg);
      const db = typeof body.$db === "string" ? body.$db : "";
      const name = record(db, body);
      if (stalls(socket, name)) return;
      const reply = db
        ? runCommand(name, body, { ...ctxBase, db })
        : { ok: 0, errmsg: "OP_MSG requests require a $db argument", code: 40571, codeName: "Location40571" };
      if (!moreToCome) send(socket, encodeSafely((r) => encodeOpMsg(nextRequestId++, header.requestID, r), reply));
      return;
    }
    if (header.opCode === OP_QUERY) {
      const q = parseOpQuery(msg);
      const dot = q.fullCollectionName.indexOf(".");
      const db = dot < 0 ? q.fullCollectionName : q.fullCollectionName.slice(0, dot);
      const coll = dot < 0 ? "" : q.fullCollectionName.slice(dot + 1);
      // Commands may come wrapped as { $query: {...}, $readPreference: ... }.
      const body = (q.query.$query && typeof q.query.$query === "object" ? q.query.$query : q.query) as Document;
      const name = record(db, body);
      if (stalls(socket, name)) return;
      let reply: Document;
      if (coll !== "$cmd") {
        reply = { $err: "OP_QUERY is no longer supported", code: 5739101, ok: 0 };
      } else if (!HANDSHAKE_COMMANDS.has(name)) {
        // MongoDB >= 5.1 accepts only the handshake over OP_QUERY.
        reply = {
          ok: 0,
          errmsg: `Unsupported OP_QUERY command: ${name}. The client driver may require an upgrade.`,
          code: 352,
          codeName: "UnsupportedOpQueryCommand",
        };
      } else {
        reply = runCommand(name, body, { ...ctxBase, db });
      }
      const flags = coll !== "$cmd" ? REPLY_QUERY_FAILURE : 0;
      send(socket, encodeSafely((r) => encodeOpReply(nextRequestId++, header.requestID, [r], flags), reply));
      return;
    }
    // OP_COMPRESSED is never advertised; legacy writes/getMore ops are long gone: drop the connection.
    socket.destroy();
  };

  /** A reply that cannot be serialised (too large, invalid keys...) becomes an error reply. */
  const encodeSafely = (encode: (reply: Document) => Buffer, reply: Document): Buffer => {
    try {
      return encode(reply);
    } catch (e) {
      const errmsg = `wire double could not serialise the reply: ${e instanceof Error ? e.message : String(e)}`;
      return encode({ ok: 0, errmsg, code: 1, codeName: "InternalError" });
    }
  };

  const send = (socket: Socket, data: Buffer): void => {
    if (!socket.destroyed && socket.writable) socket.write(data);
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const ctxBase = { connectionId: nextConnectionId++, state };
    const framer = new MessageFramer();
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const msg of framer.push(chunk)) {
          if (socket.destroyed) return;
          handleMessage(socket, ctxBase, msg);
        }
      } catch {
        // Malformed input: behave like a server and hang up.
        socket.destroy();
      }
    });
    socket.on("error", () => {
      /* client went away; nothing to do */
    });
    socket.on("close", () => {
      sockets.delete(socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: HOST, port: 0 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("wire double: unexpected server address");
  const port = address.port;

  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${HOST}:${port}/?directConnection=true`,
    port,
    commands,
    setCollection(db, coll, docs) {
      state.store.setCollection(db, coll, docs);
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        for (const t of stallTimers) clearTimeout(t);
        stallTimers.clear();
        sockets.clear();
        state.cursors.clear();
      });
      return stopped;
    },
  };
}

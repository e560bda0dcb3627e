/**
 * MongoDB wire-protocol framing: message header, OP_QUERY / OP_MSG parsing and
 * OP_REPLY / OP_MSG encoding. No compression (OP_COMPRESSED is never advertised).
 *
 * Reference: https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/
 */
import { Buffer } from "node:buffer";
import { deserialize, serialize } from "bson";
import type { Document } from "bson";

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** Upper bound on an incoming message (the maxMessageSizeBytes we advertise). */
export const MAX_MESSAGE_SIZE = 48_000_000;

/** OP_MSG flagBits. */
export const MSG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_MORE_TO_COME = 1 << 1;
export const MSG_EXHAUST_ALLOWED = 1 << 16;

/** Options used for every incoming document: numbers come out as plain JS numbers where safe. */
export const DESERIALIZE_OPTIONS = {
  promoteValues: true,
  promoteLongs: true,
  promoteBuffers: false,
  bsonRegExp: false,
} as const;

export interface MessageHeader {
  messageLength: number;
  requestID: number;
  responseTo: number;
  opCode: number;
}

export class ProtocolError extends Error {}

export function readHeader(buf: Uint8Array, offset = 0): MessageHeader {
  const view = new DataView(buf.buffer, buf.byteOffset + offset, HEADER_SIZE);
  return {
    messageLength: view.getInt32(0, true),
    requestID: view.getInt32(4, true),
    responseTo: view.getInt32(8, true),
    opCode: view.getInt32(12, true),
  };
}

function writeHeader(buf: Buffer, header: MessageHeader): void {
  buf.writeInt32LE(header.messageLength, 0);
  buf.writeInt32LE(header.requestID, 4);
  buf.writeInt32LE(header.responseTo, 8);
  buf.writeInt32LE(header.opCode, 12);
}

/**
 * Accumulates socket chunks and yields complete messages (header included).
 * Throws ProtocolError on a nonsensical length; the caller should drop the connection.
 */
export class MessageFramer {
  #chunks: Buffer[] = [];
  #length = 0;

  push(chunk: Buffer): Buffer[] {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.#length < 4) break;
      const head = this.#peek(4);
      const messageLength = head.readInt32LE(0);
      if (messageLength < HEADER_SIZE || messageLength > MAX_MESSAGE_SIZE) {
        throw new ProtocolError(`invalid message length ${messageLength}`);
      }
      if (this.#length < messageLength) break;
      out.push(this.#take(messageLength));
    }
    return out;
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length >= n) return this.#chunks[0]!.subarray(0, n);
    return Buffer.concat(this.#chunks).subarray(0, n);
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    const msg = Buffer.from(all.subarray(0, n)); // copy: the rest may be retained
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return msg;
  }
}

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new ProtocolError("unterminated cstring");
  return [buf.toString("utf8", offset, end), end + 1];
}

function readDocument(buf: Buffer, offset: number, limit: number): [Document, number] {
  if (offset + 4 > limit) throw new ProtocolError("truncated BSON document");
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > limit) throw new ProtocolError("invalid BSON document size");
  const doc = deserialize(buf.subarray(offset, offset + size), DESERIALIZE_OPTIONS);
  return [doc, offset + size];
}

export interface OpQueryMessage {
  flags: number;
  fullCollectionName: string;
  numberToSkip: number;
  numberToReturn: number;
  query: Document;
  returnFieldsSelector?: Document;
}

export function parseOpQuery(msg: Buffer): OpQueryMessage {
  let offset = HEADER_SIZE;
  const flags = msg.readInt32LE(offset);
  offset += 4;
  const [fullCollectionName, afterName] = readCString(msg, offset);
  offset = afterName;
  const numberToSkip = msg.readInt32LE(offset);
  const numberToReturn = msg.readInt32LE(offset + 4);
  offset += 8;
  const [query, afterQuery] = readDocument(msg, offset, msg.length);
  offset = afterQuery;
  let returnFieldsSelector: Document | undefined;
  if (offset < msg.length) [returnFieldsSelector] = readDocument(msg, offset, msg.length);
  return { flags, fullCollectionName, numberToSkip, numberToReturn, query, returnFieldsSelector };
}

export interface OpMsgMessage {
  flagBits: number;
  /** The kind-0 body with every kind-1 document sequence merged in under its identifier. */
  body: Document;
  moreToCome: boolean;
}

export function parseOpMsg(msg: Buffer): OpMsgMessage {
  const flagBits = msg.readUInt32LE(HEADER_SIZE);
  // Bits 0-15 are "required": an unknown one must make us fail the message.
  const known = MSG_CHECKSUM_PRESENT | MSG_MORE_TO_COME;
  if ((flagBits & 0xffff & ~known) !== 0) {
    throw new ProtocolError(`unsupported OP_MSG required flag bits 0x${flagBits.toString(16)}`);
  }
  const end = flagBits & MSG_CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = msg[offset]!;
    offset += 1;
    if (kind === 0) {
      if (body) throw new ProtocolError("OP_MSG with more than one kind-0 section");
      [body, offset] = readDocument(msg, offset, end);
    } else if (kind === 1) {
      const size = msg.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError("invalid document sequence size");
      const [identifier, afterId] = readCString(msg, offset + 4);
      let pos = afterId;
      const docs: Document[] = [];
      while (pos < sectionEnd) {
        const [doc, next] = readDocument(msg, pos, sectionEnd);
        docs.push(doc);
        pos = next;
      }
      sequences.push([identifier, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError("OP_MSG without a kind-0 section");
  for (const [identifier, docs] of sequences) {
    const existing = body[identifier];
    body[identifier] = Array.isArray(existing) ? [...existing, ...docs] : docs;
  }
  return { flagBits, body, moreToCome: (flagBits & MSG_MORE_TO_COME) !== 0 };
}

export function encodeOpMsg(requestID: number, responseTo: number, doc: Document): Buffer {
  const bson = serialize(doc);
  const messageLength = HEADER_SIZE + 4 + 1 + bson.length;
  const buf = Buffer.alloc(messageLength);
  writeHeader(buf, { messageLength, requestID, responseTo, opCode: OP_MSG });
  buf.writeUInt32LE(0, HEADER_SIZE); // flagBits
  buf.writeUInt8(0, HEADER_SIZE + 4); // section kind 0
  buf.set(bson, HEADER_SIZE + 5);
  return buf;
}

/** OP_REPLY responseFlags bits. */
export const REPLY_CURSOR_NOT_FOUND = 1 << 0;
export const REPLY_QUERY_FAILURE = 1 << 1;
export const REPLY_AWAIT_CAPABLE = 1 << 3;

export function encodeOpReply(
  requestID: number,
  responseTo: number,
  docs: Document[],
  responseFlags = 0,
): Buffer {
  const bsons = docs.map((d) => serialize(d));
  const bodyLength = 4 + 8 + 4 + 4 + bsons.reduce((n, b) => n + b.length, 0);
  const messageLength = HEADER_SIZE + bodyLength;
  const buf = Buffer.alloc(messageLength);
  writeHeader(buf, { messageLength, requestID, responseTo, opCode: OP_REPLY });
  let offset = HEADER_SIZE;
  buf.writeInt32LE(responseFlags, offset);
  offset += 4;
  buf.writeBigInt64LE(0n, offset); // cursorID
  offset += 8;
  buf.writeInt32LE(0, offset); // startingFrom
  offset += 4;
  buf.writeInt32LE(bsons.length, offset); // numberReturned
  offset += 4;
  for (const b of bsons) {
    buf.set(b, offset);
    offset += b.length;
  }
  return buf;
}

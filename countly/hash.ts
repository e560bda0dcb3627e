// Countly's two hashes: sha1 hex for per-event names/ids, and the first base64
// character of md5 for the 64-way "postfix" bucketing of values and devices.
import { createHash } from "node:crypto";

export function sha1Hex(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

export function md5Hex(text: string): string {
  return createHash("md5").update(text).digest("hex");
}

/** `common.crypto.createHash('md5').update(x).digest('base64')[0]` in Countly. */
export function md5Postfix(text: string): string {
  return createHash("md5").update(text).digest("base64")[0]!;
}

/** `H` in Countly's ids and legacy collection names: sha1(eventKey + appId). */
export function eventHash(eventKey: string, appId: string): string {
  return sha1Hex(eventKey + appId);
}

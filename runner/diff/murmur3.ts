// MurmurHash3 x86_128 (Austin Appleby, public domain) over bytes, in plain JS: the
// 128-bit document digest of the diff. Not cryptographic: it detects accidental
// differences, which is what a migration check needs, at about five times the speed of
// a native md5 call per small document. Checked against the reference implementation's
// outputs in test/runner/diff/murmur3.test.ts.

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function word(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** Little-endian word of the `n` (0..4) bytes at p, zero-padded. */
function partialWord(b: Uint8Array, p: number, n: number): number {
  let k = 0;
  for (let i = n - 1; i >= 0; i--) k = (k << 8) | b[p + i]!;
  return k;
}

/**
 * murmur3_x86_128 of `b[0, len)` with `seed`, as four 32-bit words h1..h4 in `out`
 * (the reference's output bytes are these words, each little-endian, in order).
 */
export function murmur3x86128(b: Uint8Array, len: number, seed: number, out: Uint32Array): void {
  let h1 = seed | 0;
  let h2 = h1;
  let h3 = h1;
  let h4 = h1;
  const blocksEnd = len & ~15;
  for (let p = 0; p < blocksEnd; p += 16) {
    let k1 = word(b, p);
    let k2 = word(b, p + 4);
    let k3 = word(b, p + 8);
    let k4 = word(b, p + 12);

    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = rotl(h1, 19);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;

    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = rotl(h2, 17);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;

    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = rotl(h3, 15);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;

    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = rotl(h4, 13);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }

  const tail = len & 15;
  const p = blocksEnd;
  if (tail > 12) h4 ^= Math.imul(rotl(Math.imul(partialWord(b, p + 12, tail - 12), C4), 18), C1);
  if (tail > 8) h3 ^= Math.imul(rotl(Math.imul(partialWord(b, p + 8, Math.min(4, tail - 8)), C3), 17), C4);
  if (tail > 4) h2 ^= Math.imul(rotl(Math.imul(partialWord(b, p + 4, Math.min(4, tail - 4)), C2), 16), C3);
  if (tail > 0) h1 ^= Math.imul(rotl(Math.imul(partialWord(b, p, Math.min(4, tail)), C1), 15), C2);

  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2) | 0;
  h1 = (h1 + h3) | 0;
  h1 = (h1 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}

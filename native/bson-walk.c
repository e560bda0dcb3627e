// The dump scanner's inner loop in WebAssembly (issue 12): from a document of a read chunk on,
// frames the documents that follow and walks each one's top-level elements against a
// compiled field layout, writing per document its bounds and per selected field its (type,
// value start, value end). The framing is part of the walk (the batch pass in
// bson-file-scanner.ts hands each walked batch on); a separate wasm framing pass ahead of the
// walk measured slower, it paid the chunk's cache misses twice.
// Built by scripts/build-wasm.ts (clang-14 --target=wasm32, no libc); loaded by
// runner/sources/dump/bson-walk-native.ts, which keeps the JavaScript walk
// (runner/sources/dump/bson-fields.ts, DocFields) as the fallback with identical results.
//
// The wasm only vouches for documents it fully understands: at the first document with
// anything the JavaScript walk would reject (or a rare type this loop leaves alone: regex,
// DBPointer, code with scope, unknown types) it stops before that document, and the
// JavaScript walk reads it (and throws its exact error). Every bound is checked against the
// document's own length, so a malformed document never makes the loop read outside it.
//
// Positions are byte offsets from `base` (the start of the chunk's view in the memory).

typedef unsigned char u8;
typedef int i32;
typedef unsigned int u32;
typedef long long i64;

/** Bumped whenever the exports or the memory layout change: the loader refuses another version. */
#define ABI_VERSION 5

__attribute__((export_name("abi_version"))) i32 abi_version(void) { return ABI_VERSION; }

/** The fingerprint of the C sources this module was compiled from (scripts/build-wasm.ts passes it; runner/sources/dump/wasm-sources.ts). */
#ifndef SOURCE_HASH
#error "SOURCE_HASH: build with scripts/build-wasm.ts"
#endif
__attribute__((export_name("source_hash"))) u32 source_hash(void) { return SOURCE_HASH; }

static inline i32 read_i32(const u8 *p) {
  return (i32)((u32)p[0] | ((u32)p[1] << 8) | ((u32)p[2] << 16) | ((u32)p[3] << 24));
}

// ---------------------------------------------------------------------------
// Layout: the top-level names of a FieldLayout, in an open-addressing table keyed by the
// name's length and its first 4 bytes (packed little-endian); longer names also compare the
// rest of their bytes. An empty entry has slot -1.

typedef struct {
  u32 word;
  i32 len;
  i32 slot;
  const u8 *key;
} Entry;

static inline u32 entry_hash(u32 word, i32 len, u32 shift) {
  return ((word ^ ((u32)len * 0x01000193u)) * 0x9e3779b1u) >> shift;
}

static inline u32 pack_word(const u8 *k, i32 len) {
  u32 w = 0;
  for (i32 i = (len < 4 ? len : 4) - 1; i >= 0; i--) w = (w << 8) | k[i];
  return w;
}

/** Empties a table of 2^(32 - shift) entries. */
__attribute__((export_name("layout_clear"))) void layout_clear(Entry *table, u32 shift) {
  u32 size = 1u << (32 - shift);
  for (u32 i = 0; i < size; i++) {
    table[i].word = 0;
    table[i].len = 0;
    table[i].slot = -1;
    table[i].key = 0;
  }
}

/** Adds the name key[0, len) (bytes that stay in the memory) for `slot`. */
__attribute__((export_name("layout_add"))) void layout_add(Entry *table, u32 shift, const u8 *key, i32 len, i32 slot) {
  u32 mask = (1u << (32 - shift)) - 1;
  u32 word = pack_word(key, len);
  u32 h = entry_hash(word, len, shift);
  while (table[h].slot >= 0) h = (h + 1) & mask;
  table[h].word = word;
  table[h].len = len;
  table[h].slot = slot;
  table[h].key = key;
}

/** The slot of the name b[ks, ks + len) whose first bytes are `word`, or -1. */
static inline i32 lookup(const Entry *table, u32 shift, const u8 *name, i32 len, u32 word) {
  u32 mask = (1u << (32 - shift)) - 1;
  for (u32 h = entry_hash(word, len, shift);; h = (h + 1) & mask) {
    const Entry *e = &table[h];
    if (e->slot < 0) return -1;
    if (e->word == word && e->len == len) {
      i32 i = 4;
      while (i < len && e->key[i] == name[i]) i++;
      if (i >= len) return e->slot;
    }
  }
}

/**
 * Per BSON type: 1 + the size of its value when fixed (0..16), LEN for the length-prefixed
 * ones, 0 (the default) for the types left to the JavaScript walk (regex, DBPointer, code
 * with scope, unknown types). A table, not a switch: the types vary from element to element
 * and an indirect jump would mispredict.
 */
#define LEN 100
static const u8 VALUE_SIZE[256] = {
  [1] = 1 + 8,     // double
  [2] = LEN,       // string
  [3] = LEN,       // document
  [4] = LEN,       // array
  [5] = LEN,       // binary
  [6] = 1 + 0,     // undefined
  [7] = 1 + 12,    // ObjectId
  [8] = 1 + 1,     // boolean (its byte is validated when read, as in JavaScript)
  [9] = 1 + 8,     // UTC datetime
  [10] = 1 + 0,    // null
  [13] = LEN,      // JavaScript code
  [14] = LEN,      // symbol
  [16] = 1 + 4,    // int32
  [17] = 1 + 8,    // timestamp
  [18] = 1 + 8,    // int64
  [19] = 1 + 16,   // Decimal128
  [127] = 1 + 0,   // max key
  [255] = 1 + 0,   // min key
};

/**
 * The names documents of a collection have, in the order they have them (mostly the same
 * names in the same order, some left out: `dur`, `s`, `sg` of raw events), learnt as the walk
 * goes: each element is first compared with the next few names of this list from where the
 * last match was (a name of up to 7 bytes and its terminator, packed little-endian, with its
 * slot), so a document that leaves out a name or two still matches the rest. A name not
 * found there is looked up in the layout and inserted where it was met. Longer names are
 * always looked up.
 */
#define PREDICTED 60
#define LOOK_AHEAD 4
typedef struct {
  unsigned long long key;
  /** The bytes of `key` (the name and its terminator) in a word read at a name. */
  unsigned long long mask;
  i32 len;
  i32 slot;
} Guess;
typedef struct {
  i32 used;
  i32 unused[3];
  /** PREDICTED names, then LOOK_AHEAD - 1 entries that match nothing (the look-ahead reads them unchecked). */
  Guess at[PREDICTED + LOOK_AHEAD - 1];
} Guesses;
// the loader gives each walker GUESS_BYTES for them (runner/sources/dump/bson-walk-native.ts)
_Static_assert(sizeof(Guesses) <= 64 * 24, "Guesses outgrew GUESS_BYTES");

static inline unsigned long long read_u64(const u8 *p) {
  unsigned long long v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

/** The bytes of a name of `len` (< 8) bytes and its terminator, in a word read at the name. */
static inline unsigned long long name_mask(i32 len) { return ~0ULL >> (56 - 8 * len); }

/** Files the name at b[ks, ks + len) (len < 8) and its slot in the list at `at`. */
static void learn_name(Guesses *gs, i32 at, const u8 *name, i32 len, i32 slot) {
  i32 used = gs->used;
  if (at >= PREDICTED) return;
  if (used < PREDICTED) {
    for (i32 i = used; i > at; i--) gs->at[i] = gs->at[i - 1];
    gs->used = used + 1;
  }
  Guess *g = &gs->at[at];
  g->mask = name_mask(len);
  g->key = read_u64(name) & g->mask;
  g->len = len;
  g->slot = slot;
}

/**
 * Walks the top-level elements of the document at b[start, end) (already framed: its
 * length and terminator checked), writing the selected fields into types/starts/ends (one
 * row of `slots` entries, all types zeroed first). Returns 0 when the JavaScript walk must
 * read this document instead. Reads up to 7 bytes past a name (inside the memory: the
 * loader keeps space after every buffer), never deciding anything on them.
 */
static i32 walk(const u8 *restrict b, i32 start, i32 end, const Entry *restrict table, u32 shift, i32 slots, Guesses *restrict gs, u8 *restrict types, i32 *restrict starts, i32 *restrict ends) {
  for (i32 i = 0; i < slots; i++) types[i] = 0;
  const i32 last = end - 1;
  i32 p = start + 4;
  // the list's next name to compare with
  i32 next = 0;
  while (p < last) {
    const u8 t = b[p];
    if (t == 0) return 0;
    const i32 ks = ++p;
    i32 klen = -1;
    i32 slot;
    const unsigned long long word8 = read_u64(b + ks);
    // (a match ending at the document's own terminator leaves p past `last`: its value is refused below, as the name scan would refuse it)
    const i32 from = next < PREDICTED ? next : PREDICTED;
    for (i32 i = from; i < from + LOOK_AHEAD; i++) {
      const Guess *g = &gs->at[i];
      if ((word8 & g->mask) == g->key) {
        // a name of the list, its terminator included
        klen = g->len;
        slot = g->slot;
        p = ks + klen;
        next = i + 1;
        break;
      }
    }
    if (klen < 0) {
      // the name: its first 4 bytes packed on the way to its terminator (b[last] is 0, so the scan stops there at the latest)
      u32 word = 0;
      i32 bits = 0;
      while (b[p] != 0) {
        if (bits < 32) word |= (u32)b[p] << bits;
        bits += 8;
        p++;
      }
      if (p >= last) return 0;
      klen = p - ks;
      slot = lookup(table, shift, b + ks, klen, word);
      if (klen < 8) learn_name(gs, next++, b + ks, klen, slot);
    }
    p++;
    i32 ve;
    const u8 size = VALUE_SIZE[t];
    if (size == 0) return 0;
    if (size <= 17) {
      ve = p + size - 1;
      if (ve > last) return 0;
    } else if (t == 2) {
      if (p + 4 > last) return 0;
      const i32 n = read_i32(b + p);
      if (n <= 0 || n > last - p - 4) return 0;
      ve = p + 4 + n;
    } else {
      // LEN: the value starts with its int32 length
      if (p + 4 > last) return 0;
      const i64 n = read_i32(b + p);
      i64 e;
      if (t == 3 || t == 4) {
        if (n < 5) return 0;
        e = p + n;
      } else if (t == 5) {
        if (n < 0) return 0;
        e = p + 5 + n;
      } else {
        if (n <= 0) return 0;
        e = p + 4 + n;
      }
      if (e > last) return 0;
      ve = (i32)e;
    }
    if (slot >= 0) {
      types[slot] = t;
      starts[slot] = p;
      ends[slot] = ve;
    }
    p = ve;
  }
  return 1;
}

/** Forgets the names learnt (a new walker). */
__attribute__((export_name("guesses_clear"))) void guesses_clear(Guesses *gs) {
  gs->used = 0;
  for (i32 i = 0; i < PREDICTED + LOOK_AHEAD - 1; i++) {
    // matches nothing: no word under this mask is ~0
    gs->at[i].key = ~0ULL;
    gs->at[i].mask = 0;
    gs->at[i].len = 0;
    gs->at[i].slot = -1;
  }
}

/**
 * Frames and walks the documents of chunk[p, end), at most `max`: document k's bounds in
 * docs[2k], docs[2k + 1], its fields in row k of types/starts/ends (`slots` entries a row).
 * Returns the number of documents done; it stops before the first one it cannot vouch for:
 * fewer than 5 bytes left, an impossible length, a document cut by `end`, no 0x00 at its end,
 * or anything `walk` refuses.
 */
__attribute__((export_name("walk_batch"))) i32 walk_batch(const u8 *base, i32 p, i32 end, const Entry *table, u32 shift, i32 slots, Guesses *guesses, i32 max, i32 *docs, u8 *types, i32 *starts, i32 *ends) {
  i32 k = 0;
  while (k < max && end - p >= 5) {
    i32 size = read_i32(base + p);
    if (size < 5 || size > end - p) break;
    if (base[p + size - 1] != 0) break;
    i32 row = k * slots;
    if (!walk(base, p, p + size, table, shift, slots, guesses, types + row, starts + row, ends + row)) break;
    docs[2 * k] = p;
    docs[2 * k + 1] = p + size;
    k++;
    p += size;
  }
  return k;
}

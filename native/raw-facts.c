// drillMeta's per-document segment keys in WebAssembly (issue 12): after the walk
// (bson-walk.c) has found a batch's fields, lists for each raw document the keys of its `sg`
// as ids of drillMeta's segment interner, the keys DocFields.subKeys gives the reader in
// runner/facts/dump/drill-meta.ts (runner/sources/dump/bson-fields.ts: walkKeys): each key
// once, every value checked as bson's decode checks it. Compiled into the same module as bson-walk.c and raw-events.c
// (scripts/build-wasm.ts); driven by runner/facts/dump/drill-meta-kernel.ts.
//
// What Countly does with these keys (api/aggregator/processing.js at 001abe87, the
// `drill-meta` consumer): for each key of an insert's `sg` it `$set`s `sg.<key>.type` on
// `<a>_meta_<sha1(key + a)>`; drillMeta counts the raw documents per (app, key, segment key)
// to check that those drill_meta documents exist.
//
// The keys are listed in the order of their first occurrence, also where subKeys lists
// integer-like keys first (as JavaScript objects do): drillMeta counts each key of a document
// once, whatever the order. It only vouches for a document's keys when it computes the same set
// as the JavaScript does; for anything else (a `$` key, which may make bson decode a DBRef; a
// type walkKeys leaves to bson; anything malformed; a key not
// mirrored from the interner yet; more keys than the output holds) it marks the document as
// JavaScript's (-1): the reader then calls subKeys, which gives the same ids or throws bson's
// error, and tells drill-meta-kernel.ts the keys it interned.

typedef unsigned char u8;
typedef int i32;
typedef unsigned int u32;

/** native/raw-events.c: the id of the bytes p[0, n) in a table of strings (its Str entries), or -1. */
i32 strings_lookup(const void *table, u32 mask, i32 every, const u8 *p, i32 n);

static inline i32 read_i32(const u8 *p) {
  i32 v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

/** What drill-meta-kernel.ts sets up (int32 fields: it writes them as an Int32Array; `mark` is this file's). */
typedef struct {
  /** The layout's slot of `sg`, and the slots per row. */
  i32 sg;
  i32 slots;
  /** The segment keys mirrored from drillMeta's StringInterner -> their ids there (raw-events.c's Str table). */
  const void *segments;
  u32 segments_mask;
  i32 segments_every;
  /** Per mirrored id: the stamp of the last document that listed it (duplicates are listed once). */
  i32 *marks;
  i32 marks_size;
  i32 mark;
  /** Per row: how many keys (0: none, or `sg` is no embedded document; -1: JavaScript's), and where they start in ids_out. */
  i32 *found_out;
  i32 *at_out;
  i32 *ids_out;
  i32 ids_room;
} DrillMetaKernel;

/** b[0, n) is UTF-8 as a fatal TextDecoder accepts it (shortest forms, no surrogates, at most U+10FFFF). */
static i32 valid_utf8(const u8 *b, i32 n) {
  i32 i = 0;
  while (i < n) {
    const u8 c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    i32 more;
    u8 lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return 0;
    }
    if (i + more >= n) return 0;
    const u8 c1 = b[i + 1];
    if (c1 < lo || c1 > hi) return 0;
    for (i32 j = 2; j <= more; j++)
      if ((b[i + j] & 0xC0) != 0x80) return 0;
    i += more + 1;
  }
  return 1;
}

/** The keys of the embedded document at b[start, end) into out[0, room) as walkKeys finds them (in occurrence order); -1 when JavaScript must decide. */
static i32 sg_keys(const u8 *b, i32 start, i32 end, DrillMetaKernel *k, i32 *out, i32 room) {
  if (end - start < 5 || read_i32(b + start) != end - start) return -1;
  const i32 last = end - 1;
  if (b[last] != 0) return -1;
  i32 mark = k->mark + 1;
  if (mark > 0x3fffffff) {
    mark = 1;
    for (i32 i = 0; i < k->marks_size; i++) k->marks[i] = 0;
  }
  k->mark = mark;
  i32 count = 0;
  i32 p = start + 4;
  while (p < last) {
    const u8 t = b[p];
    if (t == 0) return -1;
    const i32 ks = ++p;
    // bson looks for a DBRef when a key starts with `$`
    if (b[p] == '$') return -1;
    // the key's terminator exists: the document's own at `last` at the latest
    while (b[p] != 0) p++;
    if (p >= last) return -1;
    const i32 ke = p++;
    i32 ve;
    switch (t) {
      case 1: // double
      case 9: // date
      case 18: // int64
        ve = p + 8;
        break;
      case 16: // int32
        ve = p + 4;
        break;
      case 7: // ObjectId
        ve = p + 12;
        break;
      case 10: // null
        ve = p;
        break;
      case 8: // boolean
        ve = p + 1;
        if (ve <= last && b[p] > 1) return -1;
        break;
      case 2: {
        if (p + 4 > last) return -1;
        const i32 n = read_i32(b + p);
        if (n <= 0 || n > last - p - 4) return -1;
        ve = p + 4 + n;
        if (b[ve - 1] != 0 || !valid_utf8(b + p + 4, n - 1)) return -1;
        break;
      }
      default:
        return -1;
    }
    if (ve > last) return -1;
    p = ve;
    // a key found among the mirrored ones is valid UTF-8: the interner holds only such
    const i32 id = strings_lookup(k->segments, k->segments_mask, k->segments_every, b + ks, ke - ks);
    if (id < 0 || id >= k->marks_size) return -1;
    if (k->marks[id] == mark) continue;
    k->marks[id] = mark;
    if (count == room) return -1;
    out[count++] = id;
  }
  return count;
}

/**
 * Lists the `sg` keys of rows [from, count) of a walked batch (types/starts/ends: bson-walk.c's
 * rows, positions from `base`) into the kernel's outputs. Returns how many rows it left to JavaScript.
 */
__attribute__((export_name("drill_meta_rows"))) i32 drill_meta_rows(const u8 *base, DrillMetaKernel *k, const u8 *types, const i32 *starts, const i32 *ends, i32 from, i32 count) {
  i32 used = 0;
  i32 left = 0;
  for (i32 r = from; r < count; r++) {
    const i32 at = r * k->slots + k->sg;
    k->at_out[r] = used;
    if (types[at] != 3) {
      k->found_out[r] = 0;
      continue;
    }
    const i32 found = sg_keys(base, starts[at], ends[at], k, k->ids_out + used, k->ids_room - used);
    k->found_out[r] = found;
    if (found < 0) left++;
    else used += found;
  }
  return left;
}

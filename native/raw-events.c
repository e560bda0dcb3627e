// rawEvents' per-document row in WebAssembly (issue 12): after the walk (bson-walk.c) has
// found a batch's fields, computes for each current-layout raw document what the reader in
// runner/facts/dump/raw-events.ts computes from it: the app (its `a` among the run's app
// ids), whether it counts (`e` == "[CLY]_custom"), `ts` by rawTimestampAt's rules
// (runner/facts/numbers.ts), the app-local day from cached quarter-hour offsets
// (ScopeApps.dayOf, runner/facts/dump/drill.ts), the key id of `n` (the ids of rawEvents'
// StringInterner), c by rawCountAt, s and dur by numAt, and the insert time of `cd` by
// insertTimeAt. Compiled into the same module as bson-walk.c (scripts/build-wasm.ts); driven
// by runner/facts/dump/raw-events-kernel.ts.
//
// It only vouches for what it computes exactly as the JavaScript does: at the first document
// with anything else (a `ts` that would throw or is a Decimal128, an offset not cached for
// the document's zone and quarter hour, a key not mirrored yet, a string `c`, a Decimal128 counter, a
// `cd` beyond the Date range) it stops, the JavaScript reader reads that document (and throws
// its exact error), tells this module what it learnt, and the next call resumes after it.

typedef unsigned char u8;
typedef int i32;
typedef unsigned int u32;

/** A string of a table: its hash, its bytes (kept in the memory) and its id; an empty entry has len -1. */
typedef struct {
  u32 hash;
  i32 len;
  i32 id;
  const u8 *key;
} Str;

static inline u32 read_u32(const u8 *p) {
  u32 v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

static inline i32 read_i32(const u8 *p) { return (i32)read_u32(p); }

static inline double read_f64(const u8 *p) {
  double v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

/** The int64 at p as the JavaScript reads it: hi * 2^32 + lo (unsigned), in doubles (one rounding). */
static inline double read_i64_as_double(const u8 *p) { return (double)read_i32(p + 4) * 4294967296.0 + (double)read_u32(p); }

/**
 * The hash a table files strings under: by default (`every` 0) of the length and three words
 * (the first, the middle and the last 4 bytes: every byte up to 12, the parts that tell app ids
 * and event keys apart beyond), so a lookup costs the same for any length; a table whose strings
 * share such hashes (`strings_put` says how many) is rebuilt hashing every byte (`every` 1).
 */
__attribute__((always_inline)) static inline u32 string_hash(const u8 *p, i32 n, i32 every) {
  u32 h;
  if (every) {
    h = 0x811c9dc5u ^ (u32)n;
    i32 i = 0;
    for (; i + 4 <= n; i += 4) {
      h = (h ^ read_u32(p + i)) * 0x5bd1e995u;
      h ^= h >> 15;
    }
    for (; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  } else {
    u32 x = 0, y = 0, z = 0;
    if (n >= 4) {
      x = read_u32(p);
      y = read_u32(p + n - 4);
      if (n > 8) z = read_u32(p + ((n - 4) >> 1));
    } else {
      for (i32 i = n - 1; i >= 0; i--) x = (x << 8) | p[i];
    }
    h = (x ^ ((u32)n * 0x27d4eb2fu)) * 0x9e3779b1u;
    h = (h ^ (h >> 15) ^ y) * 0x85ebca6bu;
    h = (h ^ (h >> 13) ^ z) * 0xc2b2ae35u;
  }
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

/** a[0, n) == b[0, n), 4 bytes at a time. */
__attribute__((always_inline)) static inline i32 same_bytes(const u8 *a, const u8 *b, i32 n) {
  i32 i = 0;
  for (; i + 4 <= n; i += 4)
    if (read_u32(a + i) != read_u32(b + i)) return 0;
  for (; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/** Empties a table of mask + 1 entries. */
__attribute__((export_name("strings_clear"))) void strings_clear(Str *table, u32 mask) {
  for (u32 i = 0; i <= mask; i++) {
    table[i].hash = 0;
    table[i].len = -1;
    table[i].id = -1;
    table[i].key = 0;
  }
}

/**
 * Files the bytes key[0, len) (which stay in the memory) under `id`; the caller keeps the table
 * at most half full. Returns how many strings already there share its hash.
 */
__attribute__((export_name("strings_put"))) i32 strings_put(Str *table, u32 mask, i32 every, const u8 *key, i32 len, i32 id) {
  u32 h = string_hash(key, len, every);
  u32 i = h & mask;
  i32 sharing = 0;
  for (; table[i].len >= 0; i = (i + 1) & mask) sharing += table[i].hash == h;
  table[i].hash = h;
  table[i].len = len;
  table[i].id = id;
  table[i].key = key;
  return sharing;
}

/** The id of the bytes p[0, n), or -1. */
__attribute__((always_inline)) static inline i32 strings_find(const Str *table, u32 mask, i32 every, const u8 *p, i32 n) {
  u32 h = string_hash(p, n, every);
  for (u32 i = h & mask;; i = (i + 1) & mask) {
    const Str *s = &table[i];
    if (s->len < 0) return -1;
    if (s->hash == h && s->len == n && same_bytes(s->key, p, n)) return s->id;
  }
}

/** strings_find for the module's other kernels (native/raw-facts.c), which share these tables. */
i32 strings_lookup(const Str *table, u32 mask, i32 every, const u8 *p, i32 n) { return strings_find(table, mask, every, p, n); }

/**
 * The UTC offset of a time zone in a quarter hour. A zone's offset depends on the quarter hour
 * only (countly/time.ts: ZoneOffsets.at), so any offset JavaScript found for (zone, quarter)
 * serves every document of every app of that zone in that quarter: a cache of many of them,
 * not only each app's last, serves apps by the thousand and documents out of time order too.
 * An empty entry has zone -1.
 */
typedef struct {
  double quarter;
  double offset;
  i32 zone;
  i32 unused;
} Zone;

static inline u32 zone_index(i32 zone, double quarter, u32 mask) {
  const long long q = (long long)quarter;
  const u32 h = ((u32)q * 0x9e3779b1u) ^ ((u32)(q >> 32) * 0x85ebca6bu) ^ ((u32)zone * 0xc2b2ae35u);
  return (h ^ (h >> 15)) & mask;
}

/** Where the offset of (zone, quarter) is cached (raw-events-kernel.ts writes it there). */
__attribute__((export_name("zone_slot"))) i32 zone_slot(i32 zone, double quarter, u32 mask) { return (i32)zone_index(zone, quarter, mask); }

/** What raw-events-kernel.ts sets up (int32 fields: it writes them as an Int32Array). */
typedef struct {
  /** The layout's slots of a, e, n, ts, c, s, dur, cd, and the slots per row. */
  i32 a, e, n, ts, c, s, dur, cd;
  i32 slots;
  /** The run's app ids -> app index (ScopeApps.ids), hashed how (string_hash). */
  const Str *apps;
  u32 apps_mask;
  i32 apps_every;
  /** Per app: its time zone's number; UTC offsets by zone and quarter hour (ts / 15 min), as ScopeApps.dayOf finds them (zones_mask + 1 entries, direct-mapped). */
  const i32 *app_zones;
  const Zone *zones;
  u32 zones_mask;
  /** The event keys mirrored from rawEvents' StringInterner -> their ids there. */
  const Str *keys;
  u32 keys_mask;
  i32 keys_every;
  /** The key id of a document without a string `n` (`[CLY]_custom`). */
  i32 custom_key;
  /**
   * Per row of the batch: the app ScopeApps.place gives (-1: none; else its day in day_out);
   * counts 1 when rawEvents counts the document (then its key, counters and insert time, NaN:
   * no `cd`), 0 when it skips it.
   */
  u8 *counts;
  i32 *app_out;
  i32 *key_out;
  i32 *day_out;
  double *c_out;
  double *s_out;
  double *dur_out;
  double *cd_out;
} RawKernel;

#define MAX_DATE_MS 8.64e15
#define QUARTER_HOUR_MS 900000.0
#define DAY_MS 86400000.0
#define MAX_DAY_NUMBER 100000000.0

/** numeric() of a field of type t at p (DocFields.numeric); *ok = 0 for a Decimal128 (left to JavaScript). */
static inline double numeric(const u8 *base, u8 t, i32 p, i32 *ok) {
  if (t == 1) return read_f64(base + p);
  if (t == 16) return (double)read_i32(base + p);
  if (t == 18) return read_i64_as_double(base + p);
  if (t == 19) *ok = 0;
  return __builtin_nan("");
}

static const u8 CUSTOM[12] = {'[', 'C', 'L', 'Y', ']', '_', 'c', 'u', 's', 't', 'o', 'm'};

/**
 * Computes rows [from, count) of a walked batch (types/starts/ends: bson-walk.c's rows, positions
 * from `base`) into the kernel's outputs; returns the first row it cannot vouch for (count: all).
 */
__attribute__((export_name("raw_events_rows"))) i32 raw_events_rows(const u8 *base, const RawKernel *k, const u8 *types, const i32 *starts, const i32 *ends, i32 from, i32 count) {
  const i32 slots = k->slots;
  for (i32 r = from; r < count; r++) {
    const i32 row = r * slots;
    k->counts[r] = 0;
    k->app_out[r] = -1;
    // ScopeApps.place: `a` an app in scope (by its bytes), `e` a string, `ts` a time
    if (types[row + k->a] != 2) continue;
    const i32 as = starts[row + k->a] + 4;
    const i32 app = strings_find(k->apps, k->apps_mask, k->apps_every, base + as, ends[row + k->a] - 1 - as);
    if (app < 0) continue;
    if (types[row + k->e] != 2) continue;
    // rawTimestampAt
    const u8 tt = types[row + k->ts];
    const i32 tp = starts[row + k->ts];
    double n;
    if (tt == 9) {
      n = read_i64_as_double(base + tp);
      if (!(n <= MAX_DATE_MS && n >= -MAX_DATE_MS)) return r; // throws in JavaScript
    } else if (tt == 1 || tt == 16 || tt == 18 || tt == 19) {
      i32 number = 1;
      n = numeric(base, tt, tp, &number);
      if (!number) return r; // Decimal128
    } else {
      continue; // no time: not placed
    }
    // seconds (below 1e11) in ms; NaN and times beyond the Date range throw in JavaScript
    const double ts = n < 1e11 ? n * 1000 : n;
    if (!(ts >= -MAX_DATE_MS && ts <= MAX_DATE_MS)) return r;
    // ScopeApps.dayOf from the app's cached offset, else JavaScript computes (and caches) it
    const double q = __builtin_floor(ts / QUARTER_HOUR_MS);
    const i32 zone = k->app_zones[app];
    const Zone *z = &k->zones[zone_index(zone, q, k->zones_mask)];
    if (z->zone != zone || !(z->quarter == q)) return r;
    const double day = __builtin_floor((ts + z->offset) / DAY_MS);
    if (!(day <= MAX_DAY_NUMBER && day >= -MAX_DAY_NUMBER)) return r;
    // placed (ScopeApps.place's app and day, for every raw fact: raw-events-kernel.ts)
    k->app_out[r] = app;
    k->day_out[r] = (i32)day;
    // stringIs(e, "[CLY]_custom")
    const i32 es = starts[row + k->e] + 4;
    if (ends[row + k->e] - 1 - es != 12) continue;
    i32 same = 1;
    for (i32 i = 0; i < 12; i++) same &= base[es + i] == CUSTOM[i];
    if (!same) continue;
    // the key: RawIds.name -> DocFields.intern(n) (its terminator checked), or `[CLY]_custom`
    i32 key = k->custom_key;
    if (types[row + k->n] == 2) {
      const i32 ne = ends[row + k->n];
      if (base[ne - 1] != 0) return r; // corrupt: JavaScript throws
      const i32 ns = starts[row + k->n] + 4;
      key = strings_find(k->keys, k->keys_mask, k->keys_every, base + ns, ne - 1 - ns);
      if (key < 0) return r; // new (or not mirrored): JavaScript interns it
    }
    // rawCountAt(c): a string or Decimal128 is left to JavaScript
    i32 ok = 1;
    const u8 tc = types[row + k->c];
    if (tc == 2) return r;
    double c = numeric(base, tc, starts[row + k->c], &ok);
    c = (c - c == 0 && c != 0) ? __builtin_trunc(c) : 1;
    // numAt(s), numAt(dur)
    double s = numeric(base, types[row + k->s], starts[row + k->s], &ok);
    if (!(s - s == 0)) s = 0;
    double dur = numeric(base, types[row + k->dur], starts[row + k->dur], &ok);
    if (!(dur - dur == 0)) dur = 0;
    // insertTimeAt(cd): a date beyond the Date range (NaN there) is left to JavaScript
    const u8 tcd = types[row + k->cd];
    double cd;
    if (tcd == 9) {
      cd = read_i64_as_double(base + starts[row + k->cd]);
      if (!(cd <= MAX_DATE_MS && cd >= -MAX_DATE_MS)) return r;
    } else {
      cd = numeric(base, tcd, starts[row + k->cd], &ok);
      if (!(cd <= MAX_DATE_MS && cd >= -MAX_DATE_MS)) cd = __builtin_nan("");
    }
    if (!ok) return r;
    k->counts[r] = 1;
    k->key_out[r] = key;
    k->c_out[r] = c;
    k->s_out[r] = s;
    k->dur_out[r] = dur;
    k->cd_out[r] = cd;
  }
  return count;
}

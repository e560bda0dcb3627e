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

static inline unsigned long long read_u64(const u8 *p) {
  unsigned long long v;
  __builtin_memcpy(&v, p, 8);
  return v;
}

/** a[0, n) == b[0, n), 8 bytes at a time. */
__attribute__((always_inline)) static inline i32 same_bytes(const u8 *a, const u8 *b, i32 n) {
  i32 i = 0;
  for (; i + 8 <= n; i += 8)
    if (read_u64(a + i) != read_u64(b + i)) return 0;
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

/** numeric() of a field of type t at p (DocFields.numeric); *ok = 0 for a Decimal128 (left to JavaScript). Inlined: a call would keep `ok` in memory. */
__attribute__((always_inline)) static inline double numeric(const u8 *base, u8 t, i32 p, i32 *ok) {
  if (t == 1) return read_f64(base + p);
  if (t == 16) return (double)read_i32(base + p);
  if (t == 18) return read_i64_as_double(base + p);
  if (t == 19) *ok = 0;
  return __builtin_nan("");
}

/** `[CLY]_custom` as the little-endian words of its bytes 0..7 and 8..11. */
#define CUSTOM_LOW 0x75635f5d594c435bULL
#define CUSTOM_HIGH 0x6d6f7473u

/** The double after x and the one before it (x finite). */
static inline double next_up(double x) {
  unsigned long long b;
  __builtin_memcpy(&b, &x, 8);
  if (x == 0) b = 1; // -0 and +0: the least subnormal
  else if (x > 0) b++;
  else b--;
  __builtin_memcpy(&x, &b, 8);
  return x;
}

static inline double next_down(double x) { return -next_up(-x); }

/** The quarter hour and the day ScopeApps.dayOf finds for `ts` with the zone's cached `offset` (the same operations, in the same order). */
static inline i32 same_place(double ts, double q, double offset, double day) {
  return __builtin_floor(ts / QUARTER_HOUR_MS) == q && __builtin_floor((ts + offset) / DAY_MS) == day;
}

/**
 * The times of one zone that fall in quarter hour q and local day `day` (offset: the zone's
 * offset in q), [*lo, *hi): both floor(ts / 15 min) and floor((ts + offset) / 1 day) are
 * monotone in ts, doubles and their rounding included, so these times are one interval. Its
 * ends lie within a few doubles of the exact q * 15 min and day * 1 day - offset (products
 * of integers below 2^53: exact); each is moved there by evaluating the very expressions
 * dayOf evaluates. Returns 0 when an end is not found within a few doubles (then no memo).
 */
static i32 place_interval(double ts, double q, double offset, double day, double *lo, double *hi) {
  double a = q * QUARTER_HOUR_MS, b = day * DAY_MS - offset;
  double l = a > b ? a : b;
  a = (q + 1) * QUARTER_HOUR_MS;
  b = (day + 1) * DAY_MS - offset;
  double h = a < b ? a : b;
  if (!(l <= ts)) l = ts;
  if (!(h > ts)) h = next_up(ts);
  // l: the least time of the interval
  i32 steps = 0;
  if (same_place(l, q, offset, day)) {
    for (double d = next_down(l); same_place(d, q, offset, day); d = next_down(d)) {
      if (++steps > 8) return 0;
      l = d;
    }
  } else {
    do {
      if (++steps > 8) return 0;
      l = next_up(l);
    } while (!same_place(l, q, offset, day));
  }
  // h: the least time after it outside the interval
  steps = 0;
  if (same_place(h, q, offset, day)) {
    do {
      if (++steps > 8) return 0;
      h = next_up(h);
    } while (same_place(h, q, offset, day));
  } else {
    for (double d = next_down(h); !same_place(d, q, offset, day); d = next_down(d)) {
      if (++steps > 8) return 0;
      h = d;
    }
  }
  *lo = l;
  *hi = h;
  return 1;
}

/** A zone's last place in a call: its times [lo, hi) have local day `day` (and a cached offset); zone -1: none. */
typedef struct {
  double lo;
  double hi;
  i32 zone;
  i32 day;
} Place;
#define PLACES 16

/**
 * Computes rows [from, count) of a walked batch (types/starts/ends: bson-walk.c's rows, positions
 * from `base`) into the kernel's outputs; returns the first row it cannot vouch for (count: all).
 */
__attribute__((export_name("raw_events_rows"))) i32 raw_events_rows(const u8 *restrict base, const RawKernel *restrict k, const u8 *restrict types, const i32 *restrict starts, const i32 *restrict ends, i32 from, i32 count) {
  // the kernel's fields once: the stores below do not change them
  const i32 slots = k->slots;
  const i32 A = k->a, E = k->e, N = k->n, TS = k->ts, C = k->c, S = k->s, DUR = k->dur, CD = k->cd;
  const Str *restrict apps = k->apps;
  const u32 apps_mask = k->apps_mask;
  const i32 apps_every = k->apps_every;
  const i32 *restrict app_zones = k->app_zones;
  const Zone *restrict zones = k->zones;
  const u32 zones_mask = k->zones_mask;
  const Str *restrict keys = k->keys;
  const u32 keys_mask = k->keys_mask;
  const i32 keys_every = k->keys_every;
  const i32 custom_key = k->custom_key;
  u8 *restrict counts = k->counts;
  i32 *restrict app_out = k->app_out;
  i32 *restrict key_out = k->key_out;
  i32 *restrict day_out = k->day_out;
  double *restrict c_out = k->c_out;
  double *restrict s_out = k->s_out;
  double *restrict dur_out = k->dur_out;
  double *restrict cd_out = k->cd_out;
  Place places[PLACES];
  for (i32 i = 0; i < PLACES; i++) places[i].zone = -1;
  for (i32 r = from; r < count; r++) {
    const i32 row = r * slots;
    counts[r] = 0;
    app_out[r] = -1;
    // ScopeApps.place: `a` an app in scope (by its bytes), `e` a string, `ts` a time
    if (types[row + A] != 2) continue;
    const i32 as = starts[row + A] + 4;
    const i32 app = strings_find(apps, apps_mask, apps_every, base + as, ends[row + A] - 1 - as);
    if (app < 0) continue;
    if (types[row + E] != 2) continue;
    // rawTimestampAt
    const u8 tt = types[row + TS];
    const i32 tp = starts[row + TS];
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
    // ScopeApps.dayOf: the zone's last place in this call, else from its cached offset, else JavaScript computes (and caches) it
    const i32 zone = app_zones[app];
    Place *last = &places[zone & (PLACES - 1)];
    i32 day;
    if (last->zone == zone && ts >= last->lo && ts < last->hi) {
      day = last->day;
    } else {
      const double q = __builtin_floor(ts / QUARTER_HOUR_MS);
      const Zone *z = &zones[zone_index(zone, q, zones_mask)];
      if (z->zone != zone || !(z->quarter == q)) return r;
      const double d = __builtin_floor((ts + z->offset) / DAY_MS);
      if (!(d <= MAX_DAY_NUMBER && d >= -MAX_DAY_NUMBER)) return r;
      day = (i32)d;
      if (place_interval(ts, q, z->offset, d, &last->lo, &last->hi)) {
        last->zone = zone;
        last->day = day;
      } else {
        last->zone = -1;
      }
    }
    // placed (ScopeApps.place's app and day, for every raw fact: raw-events-kernel.ts)
    app_out[r] = app;
    day_out[r] = day;
    // stringIs(e, "[CLY]_custom")
    const i32 es = starts[row + E] + 4;
    if (ends[row + E] - 1 - es != 12) continue;
    if (read_u64(base + es) != CUSTOM_LOW || read_u32(base + es + 8) != CUSTOM_HIGH) continue;
    // the key: RawIds.name -> DocFields.intern(n) (its terminator checked), or `[CLY]_custom`
    i32 key = custom_key;
    if (types[row + N] == 2) {
      const i32 ne = ends[row + N];
      if (base[ne - 1] != 0) return r; // corrupt: JavaScript throws
      const i32 ns = starts[row + N] + 4;
      key = strings_find(keys, keys_mask, keys_every, base + ns, ne - 1 - ns);
      if (key < 0) return r; // new (or not mirrored): JavaScript interns it
    }
    // rawCountAt(c): a string or Decimal128 is left to JavaScript
    i32 ok = 1;
    const u8 tc = types[row + C];
    if (tc == 2) return r;
    double c = numeric(base, tc, starts[row + C], &ok);
    c = (c - c == 0 && c != 0) ? __builtin_trunc(c) : 1;
    // numAt(s), numAt(dur)
    double s = numeric(base, types[row + S], starts[row + S], &ok);
    if (!(s - s == 0)) s = 0;
    double dur = numeric(base, types[row + DUR], starts[row + DUR], &ok);
    if (!(dur - dur == 0)) dur = 0;
    // insertTimeAt(cd): a date beyond the Date range (NaN there) is left to JavaScript
    const u8 tcd = types[row + CD];
    double cd;
    if (tcd == 9) {
      cd = read_i64_as_double(base + starts[row + CD]);
      if (!(cd <= MAX_DATE_MS && cd >= -MAX_DATE_MS)) return r;
    } else {
      cd = numeric(base, tcd, starts[row + CD], &ok);
      if (!(cd <= MAX_DATE_MS && cd >= -MAX_DATE_MS)) cd = __builtin_nan("");
    }
    if (!ok) return r;
    counts[r] = 1;
    key_out[r] = key;
    c_out[r] = c;
    s_out[r] = s;
    dur_out[r] = dur;
    cd_out[r] = cd;
  }
  return count;
}

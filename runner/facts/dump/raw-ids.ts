// The raw document's `a` and `e` interned, and its `cd` read, once for every raw fact of a
// run that asks (drillMeta, rawInserts, rawTail, unknownApps): one byte hash per field and
// document, not one per fact, as ScopeApps does for the app lookup, `ts` and day (drill.ts).
import { INTERNAL_EVENTS } from "../../../countly/layout.ts";
import { StringInterner, utf8Bytes, type DocFields, type FieldLayout } from "../../sources/dump/bson-fields.ts";
import { insertTimeAt } from "../numbers.ts";
import type { FactScope } from "../types.ts";
import { scopeApps, type ScopeApps } from "./drill.ts";

const CUSTOM = utf8Bytes(INTERNAL_EVENTS.custom);

export class RawIds {
  /** Every app id the raw data names (not only the apps in scope). */
  readonly apps = new StringInterner();
  /** Every `e`. */
  readonly kinds = new StringInterner();
  /** ScopeApps id -> id in `apps`. */
  private readonly fromScope: number[] = [];
  private appDoc: DocFields | undefined;
  private appGen = -1;
  private appId = -1;
  private kindDoc: DocFields | undefined;
  private kindGen = -1;
  private kindId = -1;
  private cdDoc: DocFields | undefined;
  private cdGen = -1;
  private cdMs: number | undefined;

  private nameDoc: DocFields | undefined;
  private nameGen = -1;
  private nameTable: StringInterner | undefined;
  private nameId = -1;
  /** Tables `name()` translated into, each with its map from the ids of the table the name was first interned into (id + 1; 0: not yet). */
  private readonly translations: { from: StringInterner; to: StringInterner; ids: Int32Array }[] = [];

  private readonly customKind = this.kinds.add(INTERNAL_EVENTS.custom);

  /** True once a reader of these ids is made: a batch kernel then hands its rows' results on (`placedCustom`). */
  listening = false;

  constructor(private readonly scope: ScopeApps) {}

  /**
   * What `kind`, `name` (in `table`) and `cd` give for the current document, computed by a
   * batch kernel that vouched for it as a `[CLY]_custom` event (rawEvents'): `nameId` the id
   * of its string `n` in `table` (-1: unknown, left to `name`), `cdMs` its insert time (NaN:
   * none, as insertTimeAt's undefined).
   */
  placedCustom(doc: DocFields, table: StringInterner, nameId: number, cdMs: number): void {
    const gen = doc.generation;
    this.kindDoc = doc;
    this.kindGen = gen;
    this.kindId = this.customKind;
    this.cdDoc = doc;
    this.cdGen = gen;
    this.cdMs = cdMs === cdMs ? cdMs : undefined;
    if (nameId >= 0) {
      this.nameDoc = doc;
      this.nameGen = gen;
      this.nameTable = table;
      this.nameId = nameId;
    }
  }

  /**
   * The id of the document's `a` in `apps`, or -1 when it is no string (invalid UTF-8 throws,
   * for every fact asking). With the layout's `e` and `ts` slots (else -1), an app in scope
   * is taken from ScopeApps' lookup, which the raw facts make anyway, instead of hashing
   * the id's bytes again.
   */
  app(doc: DocFields, A: number, E = -1, TS = -1): number {
    if (doc !== this.appDoc || doc.generation !== this.appGen) {
      this.appDoc = undefined;
      let id = -1;
      if (E >= 0 && TS >= 0) {
        let scoped = -1;
        try {
          scoped = this.scope.place(doc, A, E, TS);
        } catch {
          // a `ts` that is no time: the other raw facts fail on it; the id is still the id
        }
        if (scoped >= 0) id = this.fromScope[scoped] ??= this.apps.add(this.scope.ids.text(scoped));
      }
      if (id < 0) id = doc.intern(A, this.apps);
      this.appId = id;
      this.appDoc = doc;
      this.appGen = doc.generation;
    }
    return this.appId;
  }

  /** insertTimeAt() of the document's `cd`. */
  cd(doc: DocFields, CD: number): number | undefined {
    if (doc !== this.cdDoc || doc.generation !== this.cdGen) {
      this.cdDoc = undefined;
      this.cdMs = insertTimeAt(doc, CD);
      this.cdDoc = doc;
      this.cdGen = doc.generation;
    }
    return this.cdMs;
  }

  /**
   * `doc.intern(N, table)` (the document's `n`, or another string field), hashed once per
   * document for every fact asking: a fact asking with its own table after another gets the
   * id of the same string in its table through a map between the two tables' ids.
   */
  name(doc: DocFields, N: number, table: StringInterner): number {
    if (doc === this.nameDoc && doc.generation === this.nameGen) {
      const from = this.nameTable!;
      const id = this.nameId;
      if (table === from || id < 0) return id;
      return this.translate(from, table, id);
    }
    this.nameDoc = undefined;
    const id = doc.intern(N, table);
    this.nameId = id;
    this.nameTable = table;
    this.nameDoc = doc;
    this.nameGen = doc.generation;
    return id;
  }

  /** The id in `to` of the string `id` names in `from`, added to `to` when new there. */
  private translate(from: StringInterner, to: StringInterner, id: number): number {
    let t = this.translations[0];
    if (t === undefined || t.from !== from || t.to !== to) t = this.translation(from, to);
    const ids = t.ids;
    // the common case: a name translated before
    if (id < ids.length) {
      const known = ids[id]! - 1;
      if (known >= 0) return known;
    } else {
      const grown = new Int32Array(Math.max(id + 1, ids.length * 2));
      grown.set(ids);
      t.ids = grown;
    }
    const mapped = to.add(from.text(id));
    t.ids[id] = mapped + 1;
    return mapped;
  }

  /** The map from `from`'s ids to `to`'s, moved first (made when new). */
  private translation(from: StringInterner, to: StringInterner): { from: StringInterner; to: StringInterner; ids: Int32Array } {
    const i = this.translations.findIndex((x) => x.from === from && x.to === to);
    if (i < 0) this.translations.unshift({ from, to, ids: new Int32Array(64) });
    else if (i > 0) this.translations.unshift(...this.translations.splice(i, 1));
    return this.translations[0]!;
  }

  /** The id of the document's `e` in `kinds`, or -1 when it is no string. */
  kind(doc: DocFields, E: number): number {
    if (doc !== this.kindDoc || doc.generation !== this.kindGen) {
      this.kindDoc = undefined;
      // most raw documents are custom events: compared as bytes, no hash
      this.kindId = doc.stringIs(E, CUSTOM) ? this.customKind : doc.intern(E, this.kinds);
      this.kindDoc = doc;
      this.kindGen = doc.generation;
    }
    return this.kindId;
  }
}

const shared = new WeakMap<FactScope["apps"], RawIds>();

/** The RawIds of a run (one per `scope.apps` array, as scopeApps). */
export function rawIds(scope: FactScope): RawIds {
  let ids = shared.get(scope.apps);
  if (ids === undefined) shared.set(scope.apps, (ids = new RawIds(scopeApps(scope))));
  return ids;
}

/** The RawIds of a run for a fact's reader: batch kernels then hand their rows' results on to them. */
export function listeningRawIds(scope: FactScope): RawIds {
  const ids = rawIds(scope);
  ids.listening = true;
  return ids;
}

/** The slot of a field when the layout selects it, else -1 (fields another fact of the read selected). */
export function optionalSlot(layout: FieldLayout, name: string): number {
  return layout.names.indexOf(name);
}

/**
 * For collectors of a few kinds reading the current layout through drillPlacer: per
 * collection read, a test that is true for a raw document the placer would skip because of
 * its kind, decided by the shared ids (the app lookup, `ts` and `e` found once for every
 * raw fact; a `ts` that is no time or an `e` that is no UTF-8 throws as the placer would).
 * Never true in the legacy layout, whose kind is the collection's.
 */
export function kindFilter(scope: FactScope, kinds: readonly string[]): (layout: FieldLayout) => (doc: DocFields) => boolean {
  const apps = scopeApps(scope);
  const ids = listeningRawIds(scope);
  // kind id -> 1 when wanted; kinds interned later are never wanted (the wanted ones are interned now)
  const wanted = new Uint8Array(Math.max(0, ...kinds.map((k) => ids.kinds.add(k) + 1)));
  for (const k of kinds) wanted[ids.kinds.add(k)] = 1;
  return (layout) => {
    if (scope.layout.drill !== "current") return () => false;
    const A = layout.slot("a");
    const E = layout.slot("e");
    const TS = layout.slot("ts");
    return (doc) => {
      if (apps.place(doc, A, E, TS) < 0) return true;
      const kind = ids.kind(doc, E);
      return kind < 0 || kind >= wanted.length || wanted[kind] === 0;
    };
  };
}

// A source over a generated dataset held in memory: the same fact collectors as a
// dump, without writing files. Used by property tests and `selftest`.
import { fixtureCollectionUuid } from "../../fixtures/collection-uuids.ts";
import type { Dataset } from "../../fixtures/dataset.ts";
import { COLLECTIONS, DEFAULT_DATABASES } from "../../countly/layout.ts";
import type { FactName, FactParams, FactScope } from "../facts/types.ts";
import { objectReader } from "./dump/bson-fields.ts";
import { computeFactsByScanning } from "./scan-plan.ts";
import { runPipelinesByScanning } from "./pipeline/scan.ts";
import { basicsFromDocuments, type FactResults, type PipelineOutcome, type PipelineRequest, type Source, type SourceBasics } from "./source.ts";

export class FixtureSource implements Source {
  readonly description: string;
  readonly snapshot = true;
  private basics?: SourceBasics;

  constructor(private readonly dataset: Dataset) {
    this.description = `generated dataset (seed ${dataset.seed}, ${dataset.layout} layout${dataset.corruptions.length ? `, ${dataset.corruptions.join(", ")}` : ""})`;
  }

  async open(): Promise<SourceBasics> {
    const dbs = DEFAULT_DATABASES;
    const collections: Record<string, string[]> = {};
    for (const db of [dbs.countly, dbs.drill]) collections[db] = Object.keys(this.dataset.databases[db] ?? {}).sort();
    const countly = this.dataset.databases[dbs.countly] ?? {};
    this.basics = basicsFromDocuments(countly[COLLECTIONS.apps] ?? [], countly[COLLECTIONS.events] ?? [], collections, dbs);
    // A generated dataset lives on a fixture server, whose collection UUIDs its resume tokens name.
    const drill = `${dbs.drill}.${COLLECTIONS.drillEvents}`;
    this.basics.catalog.collectionUuids = { [drill]: { uuid: fixtureCollectionUuid(COLLECTIONS.drillEvents), from: `the fixture server's ${drill}` } };
    return this.basics;
  }

  async computeFacts(requests: ReadonlyMap<FactName, FactParams>, scope: Omit<FactScope, "params">): Promise<FactResults> {
    const basics = this.basics ?? (await this.open());
    return computeFactsByScanning(
      requests,
      scope,
      basics.catalog,
      // serialised and walked like a dump's documents: one way to read documents
      async (ref, prepare) => {
        const what = prepare();
        if (!what) return;
        const read = objectReader(what.layout, what.visit);
        for (const doc of this.dataset.databases[ref.db]?.[ref.name] ?? []) read(doc);
      },
      (ref, e) => `${ref.db}.${ref.name}: ${(e as Error).message}`,
    );
  }

  /** Check pipelines through the same in-memory engine as dumps. */
  async runPipelines(requests: readonly PipelineRequest[]): Promise<PipelineOutcome[]> {
    return runPipelinesByScanning(
      requests,
      async (ref, visit) => {
        for (const doc of this.dataset.databases[ref.db]?.[ref.name] ?? []) visit(doc);
      },
      { sharedDocuments: true, describeError: (ref, e) => `${ref.db}.${ref.name}: ${(e as Error).message}` },
    );
  }

  async close(): Promise<void> {}
}

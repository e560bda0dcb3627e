// What the user sees when the database cannot be used: one line, the host named, the
// credentials never; and a failing query fails only the facts that need it.
import fc from "fast-check";
import { MongoClient, MongoServerError } from "mongodb";
import { describe, expect, it } from "vitest";
import { DB } from "../../../../fixtures/dataset.ts";
import { generateDataset } from "../../../../fixtures/generate.ts";
import { hostsOf } from "../../../../runner/sources/mongo/connect.ts";
import { secretsOf } from "../../../../runner/redact.ts";
import { openError, queryErrorMessage, scrub } from "../../../../runner/sources/mongo/errors.ts";
import { MongoSource } from "../../../../runner/sources/mongo/mongo-source.ts";
import { SourceError } from "../../../../runner/sources/source.ts";
import { startMongoTarget } from "../../../support/mongo-target.ts";
import { markedSecret } from "../../../support/secrets.ts";
import { closedPort, compute, ON_REAL_SERVER, withTarget } from "./support.ts";

const PASSWORD = "s3cretPass";

async function openFailure(source: MongoSource): Promise<SourceError> {
  try {
    await source.open();
  } catch (e) {
    return e as SourceError;
  } finally {
    await source.close();
  }
  throw new Error("open() succeeded");
}

function expectOneCleanLine(message: string, host: string): void {
  expect(message).not.toMatch(/[\r\n]/);
  expect(message).toContain(host);
  expect(message).not.toContain(PASSWORD);
}

describe("MongoSource.open errors", () => {
  it("an unreachable host: a SourceError naming the host and the timeout, without the password, quickly", async () => {
    const port = await closedPort();
    const uri = `mongodb://countly:${PASSWORD}@127.0.0.1:${port}/countly?authSource=admin`;
    const started = Date.now();
    const e = await openFailure(new MongoSource(uri, { connectTimeoutMS: 300 }));
    expect(e).toBeInstanceOf(SourceError);
    expectOneCleanLine(e.message, `127.0.0.1:${port}`);
    expect(e.message).toMatch(/cannot connect .* within 300 ms/);
    expect(e.message).toContain("ECONNREFUSED");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it.skipIf(ON_REAL_SERVER)("rejected credentials: a SourceError without the password", async () => {
    const target = await startMongoTarget({ [DB.countly]: { apps: [{ name: "x" }] } }, { rejectAuth: true });
    try {
      const uri = target.uri.replace("mongodb://", `mongodb://countly:${PASSWORD}@`);
      const e = await openFailure(new MongoSource(uri, { connectTimeoutMS: 2_000 }));
      expect(e).toBeInstanceOf(SourceError);
      expectOneCleanLine(e.message, hostsOf(target.uri));
      expect(e.message).toMatch(/authentication failed \(AuthenticationFailed, code 18\)/);
    } finally {
      await target.close();
    }
  });

  it("a missing database: names the database and the host", async () => {
    const target = await startMongoTarget({});
    try {
      const e = await openFailure(new MongoSource(target.uri, { databases: { countly: `${target.dbPrefix}countly`, drill: `${target.dbPrefix}countly_drill` } }));
      expect(e).toBeInstanceOf(SourceError);
      expectOneCleanLine(e.message, hostsOf(target.uri));
      expect(e.message).toContain(`no database "${target.dbPrefix}countly"`);
    } finally {
      await target.close();
    }
  });

  it("a database without apps: says so", async () => {
    const target = await startMongoTarget({ [DB.countly]: { events: [{ list: ["x"] }] } });
    try {
      const e = await openFailure(new MongoSource(target.uri, { databases: { countly: `${target.dbPrefix}countly`, drill: `${target.dbPrefix}countly_drill` } }));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toMatch(/no apps/);
      expectOneCleanLine(e.message, hostsOf(target.uri));
    } finally {
      await target.close();
    }
  });

  it.skipIf(ON_REAL_SERVER)("a read refused while opening (not authorized): a SourceError naming the collection", async () => {
    const ds = generateDataset(4, { rawEvents: 20, apps: 1 });
    const e = await withTarget(ds, (target, databases) => openFailure(new MongoSource(target.uri, { databases })), {
      failCommands: { find: { code: 13, codeName: "Unauthorized", errmsg: "not authorized on countly to execute command { find: \"apps\" }" } },
    });
    expect(e).toBeInstanceOf(SourceError);
    expect(e.message).toMatch(/^find on countly\.apps on MongoDB at 127\.0\.0\.1:\d+ is not allowed for this user: .*\(Unauthorized, code 13\)$/);
  });

  it("an invalid URI: a SourceError, not a crash", async () => {
    const e = await openFailure(new MongoSource(`mongodb://countly:${PASSWORD}@db.example:27017/?notAnOption=1`));
    expect(e).toBeInstanceOf(SourceError);
    expectOneCleanLine(e.message, "db.example:27017");
    expect(e.message).toMatch(/invalid MongoDB URI/);
  });
});

describe.skipIf(ON_REAL_SERVER)("a query that fails mid-run", () => {
  it("fails only the facts that need it (maxTimeMS exceeded on every aggregation: the raw facts), with a message naming the collection and the limit", async () => {
    const ds = generateDataset(4, { rawEvents: 40, apps: 2 });
    const { facts } = await withTarget(ds, (target, databases) => compute(new MongoSource(target.uri, { databases, maxTimeMS: 5_000 }), {}), {
      failCommands: { aggregate: { code: 50, codeName: "MaxTimeMSExpired", errmsg: "operation exceeded time limit" } },
    });
    for (const fact of ["rawEvents", "rawSessions", "rawViews"] as const) {
      const outcome = facts[fact]!;
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error).toMatch(/^aggregate on countly_drill\.drill_events on MongoDB at 127\.0\.0\.1:\d+ exceeded the time limit of 5000 ms \(MaxTimeMSExpired, code 50\); raise --max-time-ms/);
    }
    for (const fact of ["eventAggregates", "viewAggregates", "sourceAggregates"] as const) expect(facts[fact]!.ok).toBe(true);
  });
});

describe("messages never carry secrets", () => {
  const uri = `mongodb://countly:${PASSWORD}@db1.example,db2.example:27018/countly?tls=true&tlsCertificateKeyFilePassword=keyPw123&authMechanismProperties=AWS_SESSION_TOKEN:tok999`;
  const ctx = { uri, hosts: hostsOf(uri), maxTimeMS: 1000, connectTimeoutMS: 10 };

  it("the host list is the only part of the URI shown", () => {
    expect(hostsOf(uri)).toBe("db1.example,db2.example:27018");
    expect(hostsOf("mongodb+srv://u:p@cluster0.example.net/?retryWrites=true")).toBe("cluster0.example.net");
    expect(hostsOf("mongodb://localhost")).toBe("localhost");
    expect(secretsOf(uri)).toEqual(expect.arrayContaining(["keyPw123", "tok999"]));
  });

  it("even when a driver or server message quotes them", () => {
    const quoted = `bad thing at ${uri}\nwith ${PASSWORD} and keyPw123 and tok999`;
    for (const text of [
      scrub(quoted, uri),
      openError(new Error(quoted), ctx).message,
      queryErrorMessage(new MongoServerError({ errmsg: quoted, code: 2, codeName: "BadValue" }), "aggregate on x.y", ctx),
    ]) {
      expect(text).not.toMatch(/s3cretPass|keyPw123|tok999/);
      expect(text).not.toMatch(/\n/);
    }
  });
});

describe("the driver's own URI parse errors", () => {
  const SEED = 1312;
  it(`property: no fragment of a user name or password holding URI delimiters reaches the message (seed ${SEED})`, () => {
    console.log(`driver parse errors: fast-check seed ${SEED}`);
    fc.assert(
      fc.property(markedSecret("Qx7"), fc.option(markedSecret("Uz4", "/?#[]@:"), { nil: undefined }), (password, user) => {
        const uri = user === undefined ? `mongodb://checker:${password}@db.example:27017/countly` : `mongodb://${user}@db.example/countly`;
        let thrown: unknown;
        try {
          new MongoClient(uri);
        } catch (e) {
          thrown = e;
        }
        if (thrown === undefined) return;
        const message = openError(thrown, { uri, hosts: hostsOf(uri), maxTimeMS: 1000 }).message;
        expect(message).toMatch(/^invalid MongoDB URI for /);
        for (const marker of ["qx7", "uz4"]) expect(message.toLowerCase()).not.toContain(marker);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});

import { describe, expect, it } from "vitest";
import { databaseMismatch, describeDatabase, type BerthInstance } from "./installation";

const berth = (over: Partial<BerthInstance> = {}): BerthInstance => ({
  pid: 4242,
  installationId: "11111111-1111-4111-8111-111111111111",
  dataDir: "/srv/berth/data",
  database: "the embedded database in /srv/berth/data",
  external: false,
  startedAt: "2026-12-01T00:00:00.000Z",
  ...over,
});
const ours = { hasBerth: true, installationId: "11111111-1111-4111-8111-111111111111" };
const other = { hasBerth: true, installationId: "22222222-2222-4222-8222-222222222222" };
const base = { here: "the embedded database in /srv/berth/data", dataDir: "/srv/berth/data", marker: null };

describe("which database the CLI may use", () => {
  it("describes a database without its credentials", () => {
    expect(describeDatabase("postgresql://berth:s3cret@db.internal:5432/berth", "/d")).toBe('PostgreSQL database "berth" on db.internal:5432');
    expect(describeDatabase(undefined, "/d")).toBe("the embedded database in /d");
    expect(describeDatabase("postgresql://postgres:postgres@localhost:5432/postgres?host=%2Fd%2Fpgsocket", "/d")).toBe('PostgreSQL database "postgres" on /d/pgsocket');
  });

  it("allows the running Berth's own database", () => {
    expect(databaseMismatch({ ...base, identity: ours, running: [berth()] })).toBeNull();
    // Several Berths from one checkout (replicas, a test's second Berth): one of them is enough.
    expect(databaseMismatch({ ...base, identity: ours, running: [berth({ installationId: other.installationId! }), berth()] })).toBeNull();
  });

  it("refuses another database while Berth runs, naming Berth's settings", () => {
    const why = databaseMismatch({ ...base, identity: other, running: [berth()] });
    expect(why).toMatch(/Berth is running \(process 4242\) with the embedded database in \/srv\/berth\/data, but this command would use the embedded database in \/srv\/berth\/data/);
    expect(why).toMatch(/BERTH_DATA_DIR=\/srv\/berth\/data and no DATABASE_URL\); nothing was changed/);
    const ext = databaseMismatch({ ...base, identity: other, running: [berth({ external: true, database: 'PostgreSQL database "berth" on db:5432' })] });
    expect(ext).toMatch(/DATABASE_URL set to its database \(PostgreSQL database "berth" on db:5432\)/);
  });

  it("refuses another data folder than the running Berth's, even with its database", () => {
    expect(databaseMismatch({ ...base, identity: ours, running: [berth()] })).toBeNull();
    expect(databaseMismatch({ ...base, dataDir: "/srv/berth/other", identity: ours, running: [berth()] })).toMatch(/with the data folder \/srv\/berth\/data, but this command would use \/srv\/berth\/other\. Run it with BERTH_DATA_DIR=\/srv\/berth\/data/);
  });

  it("refuses a database without Berth's tables, and one without an id while Berth runs", () => {
    expect(databaseMismatch({ ...base, identity: { hasBerth: false, installationId: null }, running: [] })).toMatch(/There is no Berth database in the embedded database in \/srv\/berth\/data/);
    expect(databaseMismatch({ ...base, identity: { hasBerth: true, installationId: null }, running: [berth()] })).toMatch(/Berth is running/);
    expect(databaseMismatch({ ...base, identity: { hasBerth: true, installationId: null }, running: [] })).toBeNull();
  });

  it("refuses a data folder that belongs to another database, even with Berth stopped", () => {
    expect(databaseMismatch({ ...base, identity: other, running: [], marker: berth() })).toMatch(/The data folder \/srv\/berth\/data belongs to the Berth whose database is the embedded database in \/srv\/berth\/data/);
    expect(databaseMismatch({ ...base, identity: ours, running: [], marker: berth() })).toBeNull();
  });
});

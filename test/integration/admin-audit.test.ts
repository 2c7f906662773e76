import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "../../app/api/admin/audit/route";
import { GET as getAuditCsv } from "../../app/api/admin/audit.csv/route";
import type { AuditEvent } from "../../lib/audit/list-events";
import { db } from "../../lib/db/client";
import type { Actor } from "../../lib/auth/actor";
import { createToken } from "../../lib/tokens/tokens";
import { makeUser } from "../helpers";

// The console's Audit tab through its route: filters, keyset pages and the CSV export.

let admin: Actor;
let token: string;
const base = new Date("2026-06-01T00:00:00Z").getTime();

beforeAll(async () => {
  admin = await makeUser("audit-admin", true);
  token = (await createToken(admin, admin.name, {})).token;
  // 30 events a minute apart: three actors, two target users, three actions; one with text a
  // spreadsheet would run as a formula and one with quotes, commas and a line break.
  await db().event.createMany({
    data: Array.from({ length: 30 }, (_, i) => ({
      at: new Date(base + i * 60_000),
      actorName: ["ann", "bob", "cy"][i % 3],
      action: ["start", "stop", "launch"][i % 3 === 0 ? 0 : i % 2 === 0 ? 1 : 2],
      targetUser: i % 2 === 0 ? "tess" : "uma",
      serverName: i === 4 ? "=cmd|' /C calc'!A0" : i === 5 ? 'a "quoted", multi\nline' : "box",
      reason: i === 6 ? "@SUM(1+1)" : null,
      details: i === 7 ? { note: "-2+3" } : undefined,
    })),
  });
});

const get = (qs: string) => getAudit(new Request(`http://berth.test/api/admin/audit?${qs}`, { headers: { authorization: `token ${token}` } }), undefined as never);
const page = async (qs: string) => (await (await get(qs)).json()) as { events: AuditEvent[]; next: string | null };
const window = `from=2026-06-01T00:00:00Z&to=2026-06-01T01:00:00Z`;

describe("audit admin", () => {
  it("filters by actor, target user, action and time range, newest first", async () => {
    const ann = await page(`${window}&actor=ann`);
    expect(ann.events).toHaveLength(10);
    expect(ann.events.every((e) => e.actor === "ann")).toBe(true);
    const ats = ann.events.map((e) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);

    const tessStarts = await page(`${window}&user=tess&action=start`);
    expect(tessStarts.events.length).toBeGreaterThan(0);
    expect(tessStarts.events.every((e) => e.targetUser === "tess" && e.action === "start")).toBe(true);

    const firstTen = await page(`from=2026-06-01T00:00:00Z&to=2026-06-01T00:10:00Z`);
    expect(firstTen.events).toHaveLength(10);
    expect(firstTen.events.at(-1)?.at).toBe("2026-06-01T00:00:00.000Z");

    expect((await get(`from=2026-06-02&to=2026-06-01`)).status).toBe(422);
    expect((await get(`from=yesterday`)).status).toBe(422);
    expect((await get(`action=DROP TABLE`)).status).toBe(422);
  });

  it("pages with a keyset cursor: every event once, in order", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const p = await page(`${window}&limit=7${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`);
      seen.push(...p.events.map((e) => e.id));
      cursor = p.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it("exports the filtered events as CSV, escaped and defused for spreadsheets", async () => {
    for (const res of [
      await get(`${window}&format=csv`),
      await getAuditCsv(new Request(`http://berth.test/api/admin/audit.csv?${window}`, { headers: { authorization: `token ${token}` } }), undefined as never),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="berth-audit-.*\.csv"$/);
      const text = await res.text();
      const lines = text.split("\r\n");
      expect(lines[0]).toBe("time,actor,action,target_user,server,reason,via_token,details");
      expect(text).toContain(`,'=cmd|' /C calc'!A0,`);
      expect(text).toContain(`,"a ""quoted"", multi\nline",`);
      expect(text).toContain(`,'@SUM(1+1),`);
      expect(text).toContain(`"{""note"":""-2+3""}"`);
      // 30 rows, a header, and the empty string after the last CRLF (one row has a line break inside).
      expect(text.match(/\r\n/g)).toHaveLength(31);
    }
    const filtered = await (await get(`${window}&actor=bob&format=csv`)).text();
    expect(filtered.split("\r\n").filter((l) => l.includes(",bob,"))).toHaveLength(10);
    expect(filtered).not.toContain(",ann,");
  });
});

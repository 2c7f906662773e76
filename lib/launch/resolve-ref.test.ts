import { describe, expect, it } from "vitest";
import { parseAdvertisement, pickRef, pktLines, PktLineError, suggestRefs } from "./resolve-ref";

const pkt = (s: string) => `${(Buffer.byteLength(s) + 4).toString(16).padStart(4, "0")}${s}`;
const sha = (c: string) => c.repeat(40);

// What `git http-backend` sends for GET info/refs?service=git-upload-pack.
function advertisement(refs: [string, string][], caps = "multi_ack thin-pack side-band ofs-delta symref=HEAD:refs/heads/main agent=git/2.39.5") {
  const lines = refs.map(([oid, name], i) => pkt(i === 0 ? `${oid} ${name}\0${caps}\n` : `${oid} ${name}\n`));
  return Buffer.from(`${pkt("# service=git-upload-pack\n")}0000${lines.join("")}0000`);
}

const repo = advertisement([
  [sha("a"), "HEAD"],
  [sha("b"), "refs/heads/dev"],
  [sha("a"), "refs/heads/main"],
  [sha("c"), "refs/heads/v1"],
  [sha("d"), "refs/pull/1/head"],
  [sha("e"), "refs/tags/v1"],
  [sha("f"), "refs/tags/v2"],
  [sha("1"), "refs/tags/v2^{}"],
]);

describe("pktLines", () => {
  it("splits lines and flushes", () => {
    expect(pktLines(Buffer.from(`${pkt("hello\n")}0000${pkt("x")}`))).toEqual(["hello", null, "x"]);
  });
  it.each(["00", "zzzz", "0003", "00ffshort"])("rejects the malformed stream %j", (s) => {
    expect(() => pktLines(Buffer.from(s))).toThrow(PktLineError);
  });
});

describe("parseAdvertisement", () => {
  it("reads refs, peeled tags, symrefs and capabilities", () => {
    const adv = parseAdvertisement(repo);
    expect(adv.refs.get("HEAD")).toBe(sha("a"));
    expect(adv.refs.get("refs/tags/v2")).toBe(sha("f"));
    expect(adv.peeled.get("refs/tags/v2")).toBe(sha("1"));
    expect(adv.symrefs.get("HEAD")).toBe("refs/heads/main");
    expect(adv.capabilities).toContain("thin-pack");
    expect(adv.refs.size).toBe(7);
  });

  it("reads an empty repository as no refs", () => {
    const adv = parseAdvertisement(advertisement([["0".repeat(40), "capabilities^{}"]], "multi_ack agent=git/2"));
    expect(adv.refs.size).toBe(0);
  });

  it("accepts an answer without the service line and with 'version 1'", () => {
    const body = Buffer.from(`${pkt("version 1\n")}${pkt(`${sha("a")} HEAD\0agent=x\n`)}0000`);
    expect(parseAdvertisement(body).refs.get("HEAD")).toBe(sha("a"));
  });

  it("rejects garbage", () => {
    expect(() => parseAdvertisement(Buffer.from(`${pkt("<html>\n")}0000`))).toThrow(PktLineError);
    expect(() => parseAdvertisement(Buffer.from("<!doctype html><html></html>"))).toThrow(PktLineError);
  });
});

describe("pickRef", () => {
  const adv = parseAdvertisement(repo);

  it.each([
    ["HEAD", sha("a"), "refs/heads/main"],
    ["main", sha("a"), "refs/heads/main"],
    ["dev", sha("b"), "refs/heads/dev"],
    ["refs/heads/dev", sha("b"), "refs/heads/dev"],
    ["heads/dev", sha("b"), "refs/heads/dev"],
    // A lightweight tag is its commit; an annotated one is peeled to the commit it points at.
    ["v2", sha("1"), "refs/tags/v2"],
    // Where a branch and a tag share a name, the tag wins, as in git rev-parse.
    ["v1", sha("e"), "refs/tags/v1"],
    ["refs/heads/v1", sha("c"), "refs/heads/v1"],
    ["refs/pull/1/head", sha("d"), "refs/pull/1/head"],
    ["bbbbbbb", sha("b"), sha("b")],
    [sha("9"), sha("9"), sha("9")],
    [sha("A"), sha("a"), sha("a")],
    // A tag object's id stands for the commit it tags.
    [sha("f"), sha("1"), sha("f")],
  ])("%s → %s", (ref, commit, full) => {
    expect(pickRef(adv, ref)).toEqual({ commit, ref: full });
  });

  it("does not guess unknown or ambiguous names", () => {
    expect(pickRef(adv, "nope")).toBeUndefined();
    expect(pickRef(adv, "12345")).toBeUndefined();
    const twoAs = parseAdvertisement(advertisement([[`ab${"0".repeat(38)}`, "refs/heads/x"], [`ab${"1".repeat(38)}`, "refs/heads/y"]]));
    expect(pickRef(twoAs, "ab")).toBeUndefined();
    expect(pickRef(twoAs, "abcd")).toBeUndefined();
  });

  it("follows the HEAD symref when the server does not list HEAD itself", () => {
    const adv2 = parseAdvertisement(advertisement([[sha("a"), "refs/heads/main"]]));
    expect(pickRef(adv2, "HEAD")).toEqual({ commit: sha("a"), ref: "refs/heads/main" });
    const noHead = parseAdvertisement(advertisement([[sha("a"), "refs/heads/x"]], "agent=y"));
    expect(pickRef(noHead, "HEAD")).toBeUndefined();
  });
});

describe("suggestRefs", () => {
  it("names the default branch first, then branches, then tags", () => {
    expect(suggestRefs(parseAdvertisement(repo), 4)).toEqual({ shown: ["main", "dev", "v1", "v2"], more: 1 });
  });
});

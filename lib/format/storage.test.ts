import { describe, expect, it } from "vitest";
import { storageLevel, storagePercent, storageWarning } from "./storage";

const MiB = 1024 ** 2;

describe("storage warnings", () => {
  it("warns from 90 % and says full at the limit", () => {
    expect(storageLevel(null, 64 * MiB)).toBe("ok");
    expect(storageLevel(57 * MiB, 64 * MiB)).toBe("ok"); // 89 %
    expect(storageLevel(58 * MiB, 64 * MiB)).toBe("almost-full"); // 90.6 %
    expect(storageLevel(63.5 * MiB, 64 * MiB)).toBe("full"); // ext4 may show a sliver free after refusing a write
    expect(storageLevel(64 * MiB, 64 * MiB)).toBe("full");
    expect(storageLevel(70 * MiB, 64 * MiB)).toBe("full"); // measured, not enforced: beyond the profile
    expect(storageLevel(1, 0)).toBe("ok");
  });

  it("words the warning with the figures", () => {
    expect(storageWarning({ storageUsed: 10 * MiB, storageLimit: 64 * MiB, storageLevel: "ok" })).toBeNull();
    expect(storagePercent(58 * MiB, 64 * MiB)).toBe(90);
    expect(storageWarning({ storageUsed: 58 * MiB, storageLimit: 64 * MiB, storageLevel: "almost-full" })).toBe(
      "Storage almost full: 90 % used (58 MiB of 64 MiB). Delete files you no longer need before saving fails.",
    );
    expect(storageWarning({ storageUsed: 64 * MiB, storageLimit: 64 * MiB, storageLevel: "full" })).toMatch(/^Storage full \(64 MiB of 64 MiB\): saving files fails\. The server still starts/);
  });
});

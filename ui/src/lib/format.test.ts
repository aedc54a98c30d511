import { describe, expect, it } from "vitest";
import { checkedAgo, formatMatches, hasMoreTenants, healthFreshness } from "./format";

describe("checkedAgo", () => {
  it("says how fresh a health answer is", () => {
    expect(checkedAgo(1000, 1004)).toBe("checked 4 s ago");
    expect(checkedAgo(1000, 1000 + 90)).toBe("checked 2 min ago");
    expect(checkedAgo(1000, 1000 + 7200)).toBe("checked 2 h ago");
    expect(checkedAgo(1010, 1000)).toBe("checked 0 s ago");
  });

  it("says a stamp that pushes its health is current", () => {
    expect(healthFreshness(1000, false, 1004)).toBe("checked 4 s ago");
    expect(healthFreshness(1000, true, 1015)).toBe("current: the stamp pushes its changes (last change heard 15 s ago)");
  });
});

describe("a tenant search's count", () => {
  it("says 1,000+ when the search stopped counting", () => {
    expect(formatMatches({ total: 1000, capped: true })).toBe("1,000+");
    expect(formatMatches({ total: 37, capped: false })).toBe("37");
  });

  it("offers more while an exact count is not reached, or while a capped search's pages come full", () => {
    expect(hasMoreTenants({ total: 120, capped: false }, 100, 100, 100)).toBe(true);
    expect(hasMoreTenants({ total: 120, capped: false }, 120, 20, 100)).toBe(false);
    expect(hasMoreTenants({ total: 1000, capped: true }, 1200, 100, 100)).toBe(true);
    expect(hasMoreTenants({ total: 1000, capped: true }, 1250, 50, 100)).toBe(false);
  });
});

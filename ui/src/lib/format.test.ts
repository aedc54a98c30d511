import { describe, expect, it } from "vitest";
import { checkedAgo } from "./format";

describe("checkedAgo", () => {
  it("says how fresh a health answer is", () => {
    expect(checkedAgo(1000, 1004)).toBe("checked 4 s ago");
    expect(checkedAgo(1000, 1000 + 90)).toBe("checked 2 min ago");
    expect(checkedAgo(1000, 1000 + 7200)).toBe("checked 2 h ago");
    expect(checkedAgo(1010, 1000)).toBe("checked 0 s ago");
  });
});

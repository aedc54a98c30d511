import { describe, expect, it } from "vitest";
import { HEALTH_STALL_MS, HealthWatchdog, newHealthSession } from "./healthWatchdog";

describe("the health watchdog", () => {
  it("subscribes again once nothing came for the stall time, and not while messages come", () => {
    let now = 1_000;
    let resubscribed = 0;
    const dog = new HealthWatchdog(() => now, () => resubscribed++);
    now += HEALTH_STALL_MS - 1;
    expect(dog.check()).toBe(false);
    dog.heard();
    now += HEALTH_STALL_MS - 1;
    expect(dog.check()).toBe(false);
    now += 1;
    expect(dog.check()).toBe(true);
    expect(resubscribed).toBe(1);
    // It counts again from the new subscription.
    now += 1;
    expect(dog.check()).toBe(false);
    expect(resubscribed).toBe(1);
  });

  it("gives every page its own session", () => {
    expect(newHealthSession()).not.toBe(newHealthSession());
  });
});

import { describe, expect, it } from "vitest";
import verdicts from "../generated/id-rule-verdicts.json";
import { slugProblem } from "./stampId";

describe("the inline id check", () => {
  // The verdicts are Rust's own (fleet_core::ids::check_slug), regenerated with the
  // bindings: a change to the rule there fails here until the UI follows.
  it.each(verdicts)("agrees with the backend's rule on $id", ({ id, valid }) => {
    expect(slugProblem(id) === null).toBe(valid);
  });
});

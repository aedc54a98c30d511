"""Schemathesis hooks for the Stamp API contract run (.ci/contract-fuzz).

Two things a stateless fuzzer cannot know, supplied here without hiding any rule:
- An Idempotency-Key names one logical operation; the fuzzer reuses a few short keys
  across different requests, which the API rightly answers 422. A key that follows the
  rule is replaced by a fresh one, except in cases about a header itself (a missing
  key, a key breaking its rule), which are sent as generated.
- A `source` or `movedTo` URL makes the agent call that stamp. The fuzzer's valid URLs
  name hosts on the internet; they are pointed at this run's own agent (loopback) so
  no traffic leaves the machine. Invalid ones are sent as is.
"""
import os
import re
import uuid

import schemathesis

KEY_RULE = re.compile(r"^[!-~]{1,200}$")
URL_RULE = re.compile(r"^https?://[!-~]+$")
LOOPBACK = os.environ["CONTRACT_AGENT_URL"]


def _tests_a_header(case):
    """Whether this case mutates a header (removes it, or breaks its rule)."""
    data = case.meta.phase.data if case.meta is not None else None
    return str(getattr(data, "parameter_location", "")).lower().endswith("header")


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if isinstance(key, str) and KEY_RULE.match(key) and not (negative and _tests_a_header(case)):
        headers["Idempotency-Key"] = "fuzz-" + uuid.uuid4().hex
    body = case.body
    if isinstance(body, dict):
        for field in ("source", "movedTo"):
            value = body.get(field)
            if isinstance(value, str) and URL_RULE.match(value) and len(value) <= 2048:
                body[field] = LOOPBACK

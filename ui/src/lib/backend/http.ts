// The UI in a plain browser: the same generated command client over HTTP to
// `stampctl serve-ui` (fleet-ops' ui_server.rs), which runs the real backend. Each
// call is a POST to /api/<command>; the answer is a stream of JSON lines: progress
// events, then the result or the error (events may follow the result for a command
// that keeps reporting). The server's token comes from the page's address (#token=).
import { commandsOver, type Backend, type Transport } from "../../generated/commands";
import { BackendError, call } from "./backend";

type Line = { event?: unknown; ok?: unknown; error?: unknown };

function tokenFrom(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<Line> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf("\n");
    while (end >= 0) {
      const text = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      if (text.trim() !== "") yield JSON.parse(text) as Line;
      end = buffered.indexOf("\n");
    }
  }
}

function httpTransport(token: string): Transport {
  return {
    call: (command, args, onEvent) =>
      call(async () => {
        const response = await fetch(`./api/${command}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify(args),
        });
        if (!response.ok || !response.body) throw await response.json().catch(() => response.statusText);
        const stream = lines(response.body);
        const deliver = onEvent as ((event: unknown) => void) | undefined;
        // Read by hand: leaving a for-await loop would close the stream, and a command
        // that keeps reporting (health) sends its events after its answer.
        for (let next = await stream.next(); !next.done; next = await stream.next()) {
          const line = next.value;
          if ("event" in line) {
            deliver?.(line.event);
          } else if ("error" in line) {
            throw line.error;
          } else {
            void (async () => {
              for (let later = await stream.next(); !later.done; later = await stream.next()) {
                if ("event" in later.value) deliver?.(later.value.event);
              }
            })();
            return line.ok;
          }
        }
        throw new BackendError("internal", `${command}: the server closed the answer early`);
      }),
  };
}

export function createHttpBackend(hash: string): Backend {
  return commandsOver(httpTransport(tokenFrom(hash)));
}

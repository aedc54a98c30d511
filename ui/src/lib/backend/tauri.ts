// The only module in the UI that talks to Tauri: the window's transport for the
// generated command client (each command's progress arrives on a channel named
// `onProgress`).
import { Channel, invoke } from "@tauri-apps/api/core";
import { commandsOver, type Backend, type Transport } from "../../generated/commands";
import { call } from "./backend";

const tauriTransport: Transport = {
  call: (command, args, onEvent) =>
    call(() => {
      if (!onEvent) return invoke(command, args);
      const channel = new Channel<unknown>();
      channel.onmessage = onEvent as (event: unknown) => void;
      return invoke(command, { ...args, onProgress: channel });
    }),
};

export function createTauriBackend(): Backend {
  return commandsOver(tauriTransport);
}

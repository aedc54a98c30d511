// Changes of the display that the map's canvas must follow though nothing in
// the app changed: the colour scheme flipping (the theme colours are CSS
// custom properties, so they must be read again, theme.ts) and a new device
// pixel ratio (the window moved to another screen, so the canvas needs more
// or fewer pixels). Each watcher returns the function that stops it, as an
// $effect wants for its cleanup.

/** Calls `changed` whenever the preferred colour scheme (light or dark) flips. */
export function watchColourScheme(changed: () => void): () => void {
  const scheme = matchMedia("(prefers-color-scheme: dark)");
  scheme.addEventListener("change", changed);
  return () => scheme.removeEventListener("change", changed);
}

/** Calls `changed` whenever window.devicePixelRatio changes. */
export function watchPixelRatio(changed: () => void): () => void {
  // A resolution query matches one ratio only: after each change, watch the new one.
  let query = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
  const onChange = () => {
    query.removeEventListener("change", onChange);
    query = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    query.addEventListener("change", onChange);
    changed();
  };
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

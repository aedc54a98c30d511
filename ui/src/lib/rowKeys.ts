/**
 * Keyboard behaviour shared by selectable table rows: Enter or Space selects
 * the row; ArrowUp/ArrowDown move focus to the neighbouring row, Home/End to
 * the first/last. The tables use a roving tabindex (only one row is in the Tab
 * order, see `rovingRow`), so focus moves here, not with Tab.
 */
export function rowKeydown(event: KeyboardEvent, select: () => void): void {
  const row = event.currentTarget;
  if (!(row instanceof HTMLElement)) return;
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    select();
    return;
  }
  const siblings = row.parentElement?.children;
  const next =
    event.key === "ArrowDown"
      ? row.nextElementSibling
      : event.key === "ArrowUp"
        ? row.previousElementSibling
        : event.key === "Home"
          ? (siblings?.[0] ?? null)
          : event.key === "End"
            ? (siblings?.[siblings.length - 1] ?? null)
            : null;
  if (next instanceof HTMLElement && next.hasAttribute("tabindex")) {
    event.preventDefault();
    next.focus();
  }
}

/**
 * The id of the row that takes part in the Tab order: the row focused last if
 * it is still listed, else the selected row if listed, else the first row.
 */
export function rovingRow(ids: string[], focused: string | null, selected: string | null): string | null {
  if (focused !== null && ids.includes(focused)) return focused;
  if (selected !== null && ids.includes(selected)) return selected;
  return ids[0] ?? null;
}

/**
 * Keyboard behaviour shared by selectable table rows: Enter or Space selects
 * the row, ArrowUp/ArrowDown move focus to the neighbouring row.
 */
export function rowKeydown(event: KeyboardEvent, select: () => void): void {
  const row = event.currentTarget;
  if (!(row instanceof HTMLElement)) return;
  if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    select();
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    const next =
      event.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
    if (next instanceof HTMLElement) {
      event.preventDefault();
      next.focus();
    }
  }
}

/**
 * Copies text with the async clipboard API. Returns false when the page may not write the clipboard
 * (no permission, no focus); callers then leave the text selectable for copying by hand.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

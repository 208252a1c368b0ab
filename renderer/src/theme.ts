import { ref, watch, type Ref } from 'vue';

/**
 * Light/dark theme. `system` follows `prefers-color-scheme`; `light`/`dark` pin it. The choice
 * sets `color-scheme` on <html> (via data-theme), and every colour in base.css is a
 * `light-dark()` pair, so there is one palette and no duplicated dark block.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

const KEY = 'pathcheck.theme';

export function storedTheme(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
  try {
    localStorage.setItem(KEY, choice);
  } catch {
    // Storage can be unavailable (private contexts); the theme still applies for this session.
  }
}

/** Apply the saved choice before the first render, so the page does not flash the other theme. */
export function applyStoredTheme(): void {
  applyTheme(storedTheme());
}

export function useTheme(): Ref<ThemeChoice> {
  const choice = ref<ThemeChoice>(storedTheme());
  watch(choice, applyTheme);
  return choice;
}

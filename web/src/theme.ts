// Theme: auto (follows prefers-color-scheme), dark or light, remembered in localStorage. CSS does
// the work through `color-scheme` and light-dark(); this module only sets data-theme and tells the
// charts, whose canvas colours must be re-read when the effective scheme changes.

export const THEMES = ['auto', 'dark', 'light'] as const;
export type Theme = (typeof THEMES)[number];

const STORAGE_KEY = 'bosun.theme';
const LABELS: Record<Theme, string> = { auto: 'Auto', dark: 'Dark', light: 'Light' };

function stored(): Theme {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    if ((THEMES as readonly string[]).includes(value ?? '')) return value as Theme;
  } catch {
    // storage disabled (private mode, file://): fall back to auto
  }
  return 'auto';
}

/** Wires the toggle button; calls onSchemeChange when dark/light actually flips. */
export function initTheme(button: HTMLButtonElement, onSchemeChange: () => void): void {
  const media = window.matchMedia('(prefers-color-scheme: dark)');
  let theme = stored();
  let dark = isDark();

  function isDark(): boolean {
    return theme === 'dark' || (theme === 'auto' && media.matches);
  }

  const apply = (): void => {
    document.documentElement.dataset.theme = theme;
    button.textContent = `${LABELS[theme]} theme`;
    button.title = 'Theme: auto follows the system; click to switch (auto → dark → light)';
    const nowDark = isDark();
    if (nowDark !== dark) {
      dark = nowDark;
      onSchemeChange();
    }
  };

  button.addEventListener('click', () => {
    theme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length] as Theme;
    try {
      localStorage.setItem(STORAGE_KEY, theme);
    } catch {
      // not persisted; the choice still applies to this page
    }
    apply();
  });
  media.addEventListener('change', apply);
  apply();
}

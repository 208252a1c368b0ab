import type { PathcheckBridge } from '#common/ipc/bridge';

declare global {
  interface Window {
    /** Exposed by the preload (electron/preload); absent when the page is opened outside Pathcheck. */
    pathcheck?: PathcheckBridge;
  }
}

/** `data-*` attributes on any element (tests and styles select by them; strictTemplates checks bindings). */
declare module 'vue' {
  interface HTMLAttributes {
    [key: `data-${string}`]: string | number | boolean | undefined;
  }
}

export {};

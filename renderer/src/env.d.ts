import type { PathcheckBridge } from '../../electron/common/ipc/bridge';

declare global {
  interface Window {
    /** Exposed by the preload (electron/preload); absent when the page is opened outside Pathcheck. */
    pathcheck?: PathcheckBridge;
  }
}

export {};

/** The IPC contract between renderer, preload and main (CONVENTIONS.md habit 1). */
export * from './app';
export * from './bridge';
export * from './contract';
export * from './diagnosis';
export * from './profiles';
export * from './result';

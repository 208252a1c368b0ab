import pkg from '../../../package.json';

/** The tool version written into every report (package.json, inlined by the bundler). */
export const TOOL_VERSION: string = pkg.version;

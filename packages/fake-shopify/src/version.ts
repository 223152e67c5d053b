import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The version of this package, read from its own package.json so it never drifts. */
export const VERSION: string = (require("../package.json") as { version: string }).version;

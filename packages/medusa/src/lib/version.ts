/** Sent in the User-Agent; kept in step with package.json by the release process. */
export const PLUGIN_VERSION = "0.1.0";

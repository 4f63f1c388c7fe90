export const BODY_LIMIT_BYTES = 1024 * 1024;
/** Where the interactive API reference is served; its asset routes are public. */
export const DOCS_PREFIX = '/docs';

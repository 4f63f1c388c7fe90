/** At most this many files are taken from one message; a message naming more shares only these. */
export const MAX_REFERENCES = 20;

// `/files/<bucket>/<id>` as the SDK builds it (`{domain}/files/{bucket}/{id}`), signed URLs included.
const FILE_PATH = /\/files\/([A-Za-z0-9_.-]{1,64})\/([0-9a-f]{24})(?![0-9A-Za-z])/g;

/** The files a message's content (a JSON text or object) carries by URL, each once. */
export function fileReferences(content: string | Record<string, unknown>): Array<{ bucket: string; id: string }> {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  if (!text.includes('/files/')) return [];
  const found = new Map<string, { bucket: string; id: string }>();
  for (const [, bucket = '', id = ''] of text.matchAll(FILE_PATH)) {
    found.set(`${bucket}/${id}`, { bucket, id });
    if (found.size >= MAX_REFERENCES) break;
  }
  return [...found.values()];
}

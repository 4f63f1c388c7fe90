/** Message types that carry a file (spec 1.9; Flutter and Vue clients): what `POST /search` type `files` looks in. */
export const FILE_MESSAGE_TYPES = ['file', 'image', 'video', 'audio'] as const;

/** An `extra` sent as JSON text (the Flutter client) is read when it is no longer than this. */
const MAX_EXTRA_TEXT = 64 * 1024;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `extra` as an object, whether the sender sent an object (Vue) or its JSON text (Flutter). */
function extraOf(content: Record<string, unknown>): Record<string, unknown> {
  let extra = content.extra;
  if (typeof extra === 'string' && extra.length <= MAX_EXTRA_TEXT) {
    try {
      extra = JSON.parse(extra);
    } catch {
      return {};
    }
  }
  return extra !== null && typeof extra === 'object' && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {};
}

/**
 * The names a file message is found by: its `message` (Flutter sends the file name there), and
 * `fileName`, `fileExtension`, `mimeType` in `extra` (or beside it), with `fileName.fileExtension`
 * (the Vue client sends the name without its extension).
 */
export function fileNamesOf(content: Record<string, unknown>): string[] {
  const extra = extraOf(content);
  const field = (name: string) => text(extra[name]) ?? text(content[name]);
  const name = field('fileName');
  const extension = field('fileExtension');
  const names = [text(content.message), name, extension, field('mimeType')];
  if (name && extension && !name.toLowerCase().endsWith(`.${extension.toLowerCase()}`))
    names.push(`${name}.${extension}`);
  return names.filter((value): value is string => value !== undefined);
}

/** Whether a file message is found by `keyword` (case-insensitive substring of one of its names). */
export function fileMatches(content: Record<string, unknown>, keyword: string): boolean {
  const lower = keyword.toLowerCase();
  return fileNamesOf(content).some((name) => name.toLowerCase().includes(lower));
}

/**
 * The keywords to look up in the text index: the keyword, and for `name.ext` also `name` (the
 * index holds `fileName` and `fileExtension` apart); hits are then checked with `fileMatches`.
 */
export function fileIndexKeywords(keyword: string): string[] {
  const dot = keyword.lastIndexOf('.');
  const stem = dot > 0 ? keyword.slice(0, dot).trim() : '';
  return stem && stem !== keyword ? [keyword, stem] : [keyword];
}

import { createHash } from 'node:crypto';
/**
 * How stored files go back out. Anything a user uploads is served from the API's own origin, so
 * only passive media is shown inline; every other type is a download that cannot run script there.
 */

const PASSIVE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
const PASSIVE_FAMILIES = ['audio/', 'video/'];
const TOKEN = '[A-Za-z0-9!#$&^_.+-]{1,127}';
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);

/**
 * The type an upload is stored with: its lowercased `type/subtype`, parameters dropped; anything
 * malformed is octet-stream.
 */
export function storedMediaType(declared: string | undefined): string {
  const [first = ''] = (declared ?? '').split(';');
  const essence = first.trim().toLowerCase();
  return MEDIA_TYPE.test(essence) ? essence : 'application/octet-stream';
}

/** Shown inline: plain images, audio and video; not SVG, HTML, XML, scripts, PDF or anything else. */
export function isPassive(mediaType: string): boolean {
  if (PASSIVE.has(mediaType)) return true;
  return PASSIVE_FAMILIES.some((family) => mediaType.startsWith(family)) && !/xml|html|script/.test(mediaType);
}

/** Drops the C0 control characters and DEL. */
const withoutControls = (text: string) =>
  Array.from(text, (char) => (char.charCodeAt(0) <= 0x1f || char.charCodeAt(0) === 0x7f ? '' : char)).join('');

/** A file name as uploaded, without any path, control characters, and at most 255 characters. */
export function storedFileName(name: string | undefined): string {
  const base = withoutControls((name ?? '').split(/[/\\]/).pop() ?? '').trim();
  return base.slice(0, 255) || 'file';
}

// RFC 8187 attr-char: what may stay unencoded in `filename*`.
const encodeAttr = (value: string) =>
  encodeURIComponent(value).replace(/['()*!]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);

/** The headers of a file response: type, disposition with a safe name, no sniffing, no script, no shared cache. */
export function fileHeaders(mediaType: string, name: string): Record<string, string> {
  const passive = isPassive(mediaType);
  const fallback = name.replace(/[^A-Za-z0-9._ -]/g, '_');
  const filename = `filename="${fallback}"; filename*=UTF-8''${encodeAttr(name)}`;
  return {
    'content-type': passive ? mediaType : safeDownloadType(mediaType),
    'content-disposition': `${passive ? 'inline' : 'attachment'}; ${filename}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    'cache-control': 'private',
  };
}

/** A download keeps its type unless the type is one a browser would render or run anyway. */
function safeDownloadType(mediaType: string): string {
  return /html|xml|svg|script|ecmascript|flash|pdf/.test(mediaType) ? 'application/octet-stream' : mediaType;
}

/** A file's MD5, hex, as IMKIT's file records carry it (history 9). */
export const md5Hex = (content: Buffer) => createHash('md5').update(content).digest('hex');

/** GridFS's chunk size, which IMKIT reported for every file (history 9). */
export const IMKIT_CHUNK_SIZE = 261120;

/** JSON text with every non-ASCII character escaped: a header value may only carry ASCII safely. */
const asciiJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The `x-imkit-*` metadata headers of a download and its HEAD (history 9.2, 9.3). The file name is
 * percent-encoded and `extra` ASCII-escaped JSON, so no upload can break or inject a header.
 */
export function imkitHeaders(
  file: {
    appId: string;
    id: string;
    bucket: string;
    ownerId: string | null;
    name: string;
    createdAt: number;
    extra: unknown;
  },
  md5: string,
): Record<string, string> {
  return {
    'x-imkit-id': file.id,
    'x-imkit-objectid': file.id,
    'x-imkit-filename': encodeURIComponent(file.name),
    'x-imkit-md5': md5,
    'x-imkit-chunksize': String(IMKIT_CHUNK_SIZE),
    'x-imkit-uploaddate': new Date(file.createdAt).toString(),
    'x-imkit-uploaddatems': String(file.createdAt),
    'x-imkit-extra': asciiJson(file.extra ?? {}),
    'x-imkit-appid': file.appId,
    'x-imkit-client': file.ownerId ?? '',
    'x-imkit-bucketname': file.bucket,
  };
}

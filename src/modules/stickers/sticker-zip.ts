import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../../core/errors.js';

/** Limits of one set's archive: they bound the work and memory a hostile zip can cost. */
export const STICKER_ZIP_LIMITS = {
  entries: 120,
  imageBytes: 1024 * 1024,
  totalBytes: 16 * 1024 * 1024,
} as const;

/** `tab` (the picker's tab icon) or `01` … `99`, with an image extension (history 10.1). */
const IMAGE_NAME = /^(tab|\d{2})\.(png|jpe?g|gif|webp)$/i;

export interface StickerImage {
  /** The file name as the set lists it, e.g. `01.png`. */
  name: string;
  mimeType: string;
  content: Buffer;
}

const refuse = (message: string) => new AppError('INVALID_REQUEST', message);

/** The image type the bytes show; undefined for anything else (SVG and every active type included). */
export function imageTypeOf(content: Buffer): string | undefined {
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (content.subarray(0, 4).toString('latin1') === 'RIFF' && content.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  return undefined;
}

/** The entry's file name, or undefined for entries to skip (folders, macOS resource forks). */
function imageNameOf(entry: Entry): string | undefined {
  const path = entry.fileName;
  if (path.endsWith('/') || path.startsWith('__MACOSX/')) return undefined;
  const parts = path.split('/');
  // Zipping a folder puts the files one level down; deeper layouts are no sticker set.
  if (parts.length > 2) throw refuse(`The zip holds ${path}: put the images at its top level or in one folder`);
  const name = parts[parts.length - 1] as string;
  if (!IMAGE_NAME.test(name))
    throw refuse(`The zip holds ${path}: only tab and 01 … 99 images (png, jpg, gif, webp) may be in a sticker set`);
  return name;
}

function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // yauzl also stops an entry that inflates past its declared size; this holds whatever it declared.
        if (size > limit) stream.destroy(refuse('An image of the zip is too large'));
        else chunks.push(chunk);
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}

async function readImages(zip: ZipFile): Promise<StickerImage[]> {
  if (zip.entryCount > STICKER_ZIP_LIMITS.entries)
    throw refuse(`A sticker zip holds at most ${STICKER_ZIP_LIMITS.entries} entries`);
  const images = new Map<string, StickerImage>();
  let total = 0;
  for (;;) {
    const entry = await new Promise<Entry | undefined>((resolve, reject) => {
      zip.once('entry', resolve);
      zip.once('end', () => resolve(undefined));
      zip.once('error', reject);
      zip.readEntry();
    });
    zip.removeAllListeners('entry').removeAllListeners('end').removeAllListeners('error');
    if (!entry) return [...images.values()];
    const name = imageNameOf(entry);
    if (name === undefined) continue;
    if (images.has(name.toLowerCase())) throw refuse(`The zip holds ${name} twice`);
    if (entry.isEncrypted()) throw refuse('The zip must not be encrypted');
    if (entry.uncompressedSize > STICKER_ZIP_LIMITS.imageBytes)
      throw refuse(`A sticker image holds at most ${STICKER_ZIP_LIMITS.imageBytes} bytes`);
    total += entry.uncompressedSize;
    if (total > STICKER_ZIP_LIMITS.totalBytes)
      throw refuse(`A sticker zip holds at most ${STICKER_ZIP_LIMITS.totalBytes} bytes of images`);
    const content = await readEntry(zip, entry, entry.uncompressedSize);
    const mimeType = imageTypeOf(content);
    if (!mimeType) throw refuse(`${name} is not a PNG, JPEG, GIF or WebP image`);
    images.set(name.toLowerCase(), { name, mimeType, content });
  }
}

/**
 * The images of a sticker set's zip (history 10.1): `tab` and at least one numbered image, each a
 * PNG, JPEG, GIF or WebP by its bytes, within {@link STICKER_ZIP_LIMITS}. Paths that leave the
 * archive, other files, encrypted entries and entries that inflate beyond what they declare are 400s.
 */
export async function readStickerZip(archive: Buffer): Promise<StickerImage[]> {
  let zip: ZipFile | undefined;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(
        archive,
        { lazyEntries: true, validateEntrySizes: true, strictFileNames: true },
        (error, file) => (error ? reject(error) : resolve(file)),
      ),
    );
    const images = await readImages(zip);
    if (!images.some((image) => image.name.toLowerCase().startsWith('tab.')))
      throw refuse('The zip must hold tab.png, the tab icon of the set');
    if (!images.some((image) => /^\d/.test(image.name))) throw refuse('The zip must hold at least one image 01 … 99');
    return images.sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw refuse(`The file is not a zip Parley can read (${(error as Error).message})`);
  } finally {
    zip?.close();
  }
}

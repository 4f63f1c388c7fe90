/** Fitting an APNs payload into its size limit by shortening what a person reads rather than failing. */

const ELLIPSIS = '…';
const ELLIPSIS_BYTES = Buffer.byteLength(ELLIPSIS);
/** A text is not cut below this many bytes: it should still say something. */
const MIN_TEXT_BYTES = 32;
const MAX_ROUNDS = 64;

type Json = Record<string, unknown>;

/** A string inside the payload that may be shortened. */
interface TextSlot {
  holder: Json;
  key: string;
  cut: boolean;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const bytesOf = (value: string) => Buffer.byteLength(value);

/** Cuts a string to at most `maxBytes` of UTF-8, never inside a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (bytesOf(value) <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = bytesOf(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/** The alert's texts (string alert, title, subtitle, body, each loc-arg) and the chat message's text. */
function readableTexts(body: Json): TextSlot[] {
  const slots: TextSlot[] = [];
  const add = (holder: Json, key: string) => {
    if (typeof holder[key] === 'string') slots.push({ holder, key, cut: false });
  };
  const aps = body.aps;
  if (isObject(aps)) {
    if (typeof aps.alert === 'string') add(aps, 'alert');
    else if (isObject(aps.alert)) {
      const alert = aps.alert;
      for (const key of ['title', 'subtitle', 'body']) add(alert, key);
      const args = alert['loc-args'];
      if (Array.isArray(args)) for (const index of args.keys()) add(args as unknown as Json, String(index));
    }
  }
  if (isObject(body.payload)) add(body.payload, 'message');
  return slots;
}

function textOf(slot: TextSlot): string {
  return slot.holder[slot.key] as string;
}

/** The text without the ellipsis a previous round added. */
function originalPart(slot: TextSlot): string {
  const value = textOf(slot);
  return slot.cut ? value.slice(0, -ELLIPSIS.length) : value;
}

/**
 * The JSON of `body`, at most `maxBytes` when it can be made so: first the longest readable texts
 * are cut (with an ellipsis, each down to a few words at least), then the custom keys are dropped,
 * largest first (a chat message's `payload` object before its `messageId`, which lets the app fetch
 * it). What still does not fit is returned as is, for APNs to refuse (413, a failed delivery).
 */
export function fitJsonBody(body: Json, maxBytes: number): string {
  let json = JSON.stringify(body);
  if (bytesOf(json) <= maxBytes) return json;
  // A copy: the alert may be the caller's own object.
  const copy = JSON.parse(json) as Json;
  const slots = readableTexts(copy);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const overflow = bytesOf(json) - maxBytes;
    if (overflow <= 0) return json;
    const candidates = slots.filter((slot) => bytesOf(originalPart(slot)) > MIN_TEXT_BYTES);
    const longest = candidates.sort((a, b) => bytesOf(textOf(b)) - bytesOf(textOf(a)))[0];
    if (!longest) break;
    const keep = Math.max(MIN_TEXT_BYTES, bytesOf(textOf(longest)) - overflow - ELLIPSIS_BYTES);
    longest.holder[longest.key] = truncateUtf8(originalPart(longest), keep) + ELLIPSIS;
    longest.cut = true;
    json = JSON.stringify(copy);
  }
  const custom = Object.keys(copy)
    .filter((key) => key !== 'aps')
    .map((key) => ({ key, size: bytesOf(JSON.stringify(copy[key]) ?? '') }))
    .sort((a, b) => b.size - a.size);
  for (const { key } of custom) {
    if (bytesOf(json) <= maxBytes) break;
    delete copy[key];
    json = JSON.stringify(copy);
  }
  return json;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null | undefined): string | null => (ms == null ? null : iso(ms));

/** The range a Date can hold (ECMA-262): beyond it, `toISOString` throws. */
const MAX_TIME_MS = 8.64e15;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const inRange = (ms: number): number | undefined =>
  Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : undefined;
const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Reads a time given as ISO-8601 text or millisecond epoch; undefined when it is not a valid time. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return inRange(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^-?\d+$/.test(text)) return inRange(Number(text));
  // Only ISO-8601 shapes: Date.parse accepts too much ("1", "May 5").
  const match = ISO_TIME.exec(text);
  if (!match) return undefined;
  const [, year = '', month = '', day = '', hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] =
    match;
  // A real calendar date and clock time: Date.parse would roll "2024-02-30" over into March.
  if (
    Number(month) < 1 ||
    Number(month) > 12 ||
    Number(day) < 1 ||
    Number(day) > daysInMonth(Number(year), Number(month))
  )
    return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  // Without an offset the time is UTC (spec 1.7), never the host's local time.
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${zone}`);
  return Number.isNaN(ms) ? undefined : inRange(ms);
}

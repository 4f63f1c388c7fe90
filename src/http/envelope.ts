/** The success envelope of spec 1.4: HTTP 200 with `{RC: 0, RM: "OK", result}`. */
export interface Envelope<T> {
  RC: 0;
  RM: string;
  result: T;
}

export function ok<T>(result: T, rm = 'OK'): Envelope<T> {
  return { RC: 0, RM: rm, result };
}

/** The current time in Unix milliseconds. Services take one so that tests can move time forward. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();

/** An ISO-8601 timestamp, as the database stores them, `offsetMs` from the clock's now. */
export function isoAt(clock: Clock, offsetMs = 0): string {
  return new Date(clock() + offsetMs).toISOString();
}

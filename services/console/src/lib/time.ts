import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";

dayjs.extend(utc);
dayjs.extend(timezone);

/** Every time the console shows is in Liaoning's zone, whatever the browser's. */
export const ZONE = "Asia/Shanghai";

/** "2026-11-25 09:57:10" in Asia/Shanghai, or "—" when there is no time. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  const time = dayjs(value);
  return time.isValid() ? time.tz(ZONE).format("YYYY-MM-DD HH:mm:ss") : value;
}

/** A calendar date as given (dates carry no zone). */
export function formatDate(value: string | null | undefined): string {
  return value ? value : "—";
}

/** Now, as an RFC 3339 time in Asia/Shanghai. */
export function nowInZone(): string {
  return dayjs().tz(ZONE).format();
}

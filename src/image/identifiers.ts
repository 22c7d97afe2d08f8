/** Syntax checks for the string types of the appc spec (spec/types.md). */

const AC_IDENTIFIER = /^[a-z0-9]+([-._~/][a-z0-9]+)*$/;
const AC_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const AC_KIND = /^[A-Za-z0-9]+$/;
// The regular expression published with SemVer 2.0.0 (semver.org, FAQ).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
// appc parses dates with Go's time.RFC3339 layout: upper-case T and Z, no leap second.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Image, label, annotation and isolator names: lowercase, URL-like. */
export function isACIdentifier(s: string): boolean {
  return AC_IDENTIFIER.test(s);
}

/** App, mount point, port and volume names: like a DNS label. */
export function isACName(s: string): boolean {
  return AC_NAME.test(s);
}

export function isACKind(s: string): boolean {
  return AC_KIND.test(s);
}

export function isSemver(s: string): boolean {
  return SEMVER.test(s);
}

export function isRFC3339(s: string): boolean {
  const m = RFC3339.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = m.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59
  );
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

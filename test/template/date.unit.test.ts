import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatGoDate, parseGoDate } from '../../src/template/date.js';

// Expected outputs are Go's: the time package's documented layouts, examples and format_test.go.
// Go's tests run with Local = America/Los_Angeles; JS Dates hold milliseconds, so Go's
// nanosecond fractions are cut to milliseconds here.

const ANSIC = 'Mon Jan _2 15:04:05 2006';
const UNIX_DATE = 'Mon Jan _2 15:04:05 MST 2006';
const RUBY_DATE = 'Mon Jan 02 15:04:05 -0700 2006';
const RFC822 = '02 Jan 06 15:04 MST';
const RFC850 = 'Monday, 02-Jan-06 15:04:05 MST';
const RFC1123 = 'Mon, 02 Jan 2006 15:04:05 MST';
const RFC1123Z = 'Mon, 02 Jan 2006 15:04:05 -0700';
const RFC3339 = '2006-01-02T15:04:05Z07:00';
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
const KITCHEN = '3:04PM';
const STAMP_NANO = 'Jan _2 15:04:05.000000000';

const GO_LAUNCH = new Date(Date.UTC(2009, 10, 10, 23, 0, 0, 123));
/** time.Unix(0, 1233810057012345600): Wed Feb 4 21:00:57.012345600 PST 2009, to the millisecond. */
const FORMAT_TEST_TIME = new Date(1233810057012);
const LA = 'America/Los_Angeles';

function rejects(layout: string, value: string, message: string, zone = 'UTC'): void {
  assert.throws(
    () => parseGoDate(layout, value, zone),
    (err: Error) => err.message === message,
    `${layout} / ${value}`,
  );
}

function rejectsWith(layout: string, value: string, fragment: string): void {
  assert.throws(
    () => parseGoDate(layout, value, 'UTC'),
    (err: Error) => err.message.includes(fragment),
    `${layout} / ${value}`,
  );
}

function parsesTo(layout: string, value: string, zone: string, iso: string): void {
  assert.is(parseGoDate(layout, value, zone).toISOString(), iso, `${layout} / ${value}`);
}

test("Go's layouts for a fixed instant in UTC and in New York", () => {
  const cases: [string, string, string][] = [
    [RFC3339, '2009-11-10T23:00:00Z', '2009-11-10T18:00:00-05:00'],
    [RFC3339_NANO, '2009-11-10T23:00:00.123Z', '2009-11-10T18:00:00.123-05:00'],
    [KITCHEN, '11:00PM', '6:00PM'],
    [ANSIC, 'Tue Nov 10 23:00:00 2009', 'Tue Nov 10 18:00:00 2009'],
    [UNIX_DATE, 'Tue Nov 10 23:00:00 UTC 2009', 'Tue Nov 10 18:00:00 EST 2009'],
    [RUBY_DATE, 'Tue Nov 10 23:00:00 +0000 2009', 'Tue Nov 10 18:00:00 -0500 2009'],
    [RFC822, '10 Nov 09 23:00 UTC', '10 Nov 09 18:00 EST'],
    [RFC850, 'Tuesday, 10-Nov-09 23:00:00 UTC', 'Tuesday, 10-Nov-09 18:00:00 EST'],
    [RFC1123, 'Tue, 10 Nov 2009 23:00:00 UTC', 'Tue, 10 Nov 2009 18:00:00 EST'],
    [RFC1123Z, 'Tue, 10 Nov 2009 23:00:00 +0000', 'Tue, 10 Nov 2009 18:00:00 -0500'],
    ['2006-01-02', '2009-11-10', '2009-11-10'],
    ['2006-01-02 15:04:05.999999999 -0700 MST', '2009-11-10 23:00:00.123 +0000 UTC', '2009-11-10 18:00:00.123 -0500 EST'],
  ];
  for (const [layout, utc, newYork] of cases) {
    assert.is(formatGoDate(layout, GO_LAUNCH, 'UTC'), utc, layout);
    assert.is(formatGoDate(layout, GO_LAUNCH, 'America/New_York'), newYork, layout);
  }
});

test("format_test.go's table, in Los Angeles", () => {
  const cases: [string, string][] = [
    [ANSIC, 'Wed Feb  4 21:00:57 2009'],
    [UNIX_DATE, 'Wed Feb  4 21:00:57 PST 2009'],
    [RUBY_DATE, 'Wed Feb 04 21:00:57 -0800 2009'],
    [RFC822, '04 Feb 09 21:00 PST'],
    [RFC850, 'Wednesday, 04-Feb-09 21:00:57 PST'],
    [RFC1123, 'Wed, 04 Feb 2009 21:00:57 PST'],
    [RFC1123Z, 'Wed, 04 Feb 2009 21:00:57 -0800'],
    [RFC3339, '2009-02-04T21:00:57-08:00'],
    [RFC3339_NANO, '2009-02-04T21:00:57.012-08:00'],
    [KITCHEN, '9:00PM'],
    ['3pm', '9pm'],
    ['3PM', '9PM'],
    ['06 01 02', '09 02 04'],
    // Three-letter months and days must not be followed by a lower-case letter.
    ['Hi Janet, the Month is January', 'Hi Janet, the Month is February'],
    ['Jan _2 15:04:05', 'Feb  4 21:00:57'],
    ['Jan _2 15:04:05.000', 'Feb  4 21:00:57.012'],
    ['Jan _2 15:04:05.000000', 'Feb  4 21:00:57.012000'],
    [STAMP_NANO, 'Feb  4 21:00:57.012000000'],
    ['2006-01-02 15:04:05', '2009-02-04 21:00:57'],
    ['15:04:05', '21:00:57'],
    ['Jan  2 002 __2 2', 'Feb  4 035  35 4'],
    ['2006 6 06 _6 __6 ___6', '2009 6 09 _6 __6 ___6'],
    ['Jan January 1 01 _1', 'Feb February 2 02 _2'],
    ['2 02 _2 __2', '4 04  4  35'],
    ['Mon Monday', 'Wed Wednesday'],
    ['15 3 03 _3', '21 9 09 _9'],
    ['4 04 _4', '0 00 _0'],
    ['5 05 _5', '57 57 _57'],
    ['15:04:05.000', '21:00:57.012'],
    ['15:04:05.999', '21:00:57.012'],
    ['15:04:05,000', '21:00:57,012'],
    ['15:04:05,999', '21:00:57,012'],
  ];
  for (const [layout, want] of cases) assert.is(formatGoDate(layout, FORMAT_TEST_TIME, LA), want, layout);
});

test("ExampleTime_Format's layouts", () => {
  const t = parseGoDate(UNIX_DATE, 'Sat Mar  7 11:06:39 PST 2015', LA);
  assert.is(formatGoDate('2006-01-02 15:04:05.999999999 -0700 MST', t, LA), '2015-03-07 11:06:39 -0800 PST');
  assert.is(formatGoDate(UNIX_DATE, t, LA), 'Sat Mar  7 11:06:39 PST 2015');
  assert.is(formatGoDate(UNIX_DATE, t, 'UTC'), 'Sat Mar  7 19:06:39 UTC 2015');
  assert.is(formatGoDate('Mon Jan 2 15:04:05 MST 2006', t, LA), 'Sat Mar 7 11:06:39 PST 2015');
  assert.is(formatGoDate('<2>', t, LA), '<7>');
  assert.is(formatGoDate('<_2>', t, LA), '< 7>');
  assert.is(formatGoDate('<02>', t, LA), '<07>');
  assert.is(formatGoDate('04:05', t, LA), '06:39');
  assert.is(formatGoDate('3PM==3pm==15h', t, LA), '11AM==11am==11h');
  const withFraction = parseGoDate(UNIX_DATE, 'Sat Mar  7 11:06:39.1234 PST 2015', LA);
  assert.is(formatGoDate(UNIX_DATE, withFraction, LA), 'Sat Mar  7 11:06:39 PST 2015');
  assert.is(formatGoDate('15:04:05.00000', withFraction, LA), '11:06:39.12340');
  assert.is(formatGoDate('15:04:05.99999999', withFraction, LA), '11:06:39.1234');
});

test('every layout element, fractions and zone forms', () => {
  const date = new Date(Date.UTC(2001, 1, 3, 4, 5, 6, 700));
  assert.is(formatGoDate('3:4:5', date, 'UTC'), '4:5:6');
  assert.is(formatGoDate('.0 .00 .000 .0000 .000000000 ,9 .99 .9999 .999999999', date, 'UTC'), '.7 .70 .700 .7000 .700000000 ,7 .7 .7 .7');
  assert.is(formatGoDate('05.999|05.000', new Date(Date.UTC(2001, 1, 3, 4, 5, 6)), 'UTC'), '06|06.000');
  assert.is(formatGoDate('2006.01.02.15.04.05.00', date, 'UTC'), '2001.02.03.04.05.06.70');
  // A run of 0s or 9s followed by another digit is no fraction: ".01" is a dot and the month.
  assert.is(formatGoDate('05.01', date, 'UTC'), '06.02');
  assert.is(formatGoDate('15:04_20060102', date, 'UTC'), '04:05_20010203');
  assert.is(formatGoDate('Z0700 Z07:00 Z07 Z070000 Z07:00:00', date, 'UTC'), 'Z Z Z Z Z');
  assert.is(formatGoDate('-0700 -07:00 -07 -070000 -07:00:00', date, 'UTC'), '+0000 +00:00 +00 +000000 +00:00:00');
  assert.is(formatGoDate('Z0700 Z07:00 Z07 -070000 -07:00:00 MST', date, 'Asia/Kathmandu'), '+0545 +05:45 +05 +054500 +05:45:00 +0545');
  assert.is(formatGoDate('Z07:00 MST', date, 'America/Sao_Paulo'), '-02:00 -02');
  assert.is(formatGoDate('MST', new Date(Date.UTC(2009, 6, 1)), 'Europe/Paris'), 'CEST');
  assert.is(formatGoDate('Z07:00 MST', new Date(Date.UTC(2009, 6, 1)), 'America/New_York'), '-04:00 EDT');
  // Zone offsets of local mean time have seconds.
  assert.is(formatGoDate('-07:00:00 -070000', new Date(Date.UTC(1850, 0, 1)), 'America/New_York'), '-04:56:02 -045602');
});

test('noon is 12PM and midnight 12AM', () => {
  const noon = new Date(Date.UTC(2000, 0, 1, 12));
  const midnight = new Date(Date.UTC(2000, 0, 1, 0));
  assert.is(formatGoDate('3:04PM', noon, 'UTC'), '12:00PM');
  assert.is(formatGoDate('03:04PM', noon, 'UTC'), '12:00PM');
  assert.is(formatGoDate('3:04PM', midnight, 'UTC'), '12:00AM');
  assert.is(formatGoDate('03:04pm', midnight, 'UTC'), '12:00am');
});

test('years outside 1000–9999', () => {
  const year = (y: number): Date => {
    const date = new Date(0);
    date.setUTCFullYear(y, 0, 1);
    return date;
  };
  assert.is(formatGoDate('2006.01.02', year(1), 'UTC'), '0001.01.01');
  assert.is(formatGoDate('2006.01.02', year(99), 'UTC'), '0099.01.01');
  assert.is(formatGoDate('2006.01.02', year(0), 'UTC'), '0000.01.01');
  assert.is(formatGoDate('2006.01.02', year(-1), 'UTC'), '-0001.01.01');
  assert.is(formatGoDate('2006.01.02 06', year(-101), 'UTC'), '-0101.01.01 01');
  assert.is(formatGoDate('2006.01.02', year(10001), 'UTC'), '10001.01.01');
});

test('the zone: Local follows TZ, unknown names fall back to UTC', () => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'America/New_York';
    assert.is(formatGoDate(UNIX_DATE, GO_LAUNCH, 'Local'), 'Tue Nov 10 18:00:00 EST 2009');
    process.env.TZ = 'UTC';
    assert.is(formatGoDate(UNIX_DATE, GO_LAUNCH, 'Local'), 'Tue Nov 10 23:00:00 UTC 2009');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
  assert.is(formatGoDate(UNIX_DATE, GO_LAUNCH, 'Not/AZone'), 'Tue Nov 10 23:00:00 UTC 2009');
  assert.is(formatGoDate(UNIX_DATE, GO_LAUNCH, ''), 'Tue Nov 10 23:00:00 UTC 2009');
});

test("parse_test.go's table: all read as Thu Feb 4 21:00:57 PST 2010", () => {
  const pst = '2010-02-05T05:00:57';
  const cases: [string, string, string][] = [
    [ANSIC, 'Thu Feb  4 21:00:57 2010', `${pst}.000Z`],
    [UNIX_DATE, 'Thu Feb  4 21:00:57 PST 2010', `${pst}.000Z`],
    [RUBY_DATE, 'Thu Feb 04 21:00:57 -0800 2010', `${pst}.000Z`],
    [RFC850, 'Thursday, 04-Feb-10 21:00:57 PST', `${pst}.000Z`],
    [RFC1123, 'Thu, 04 Feb 2010 21:00:57 PST', `${pst}.000Z`],
    [RFC1123, 'Thu, 04 Feb 2010 22:00:57 PDT', `${pst}.000Z`],
    [RFC1123Z, 'Thu, 04 Feb 2010 21:00:57 -0800', `${pst}.000Z`],
    [RFC3339, '2010-02-04T21:00:57-08:00', `${pst}.000Z`],
    ['2006-01-02 15:04:05-07', '2010-02-04 21:00:57-08', `${pst}.000Z`],
    [ANSIC, 'Thu Feb  4 21:00:57.0 2010', `${pst}.000Z`],
    [UNIX_DATE, 'Thu Feb  4 21:00:57.01 PST 2010', `${pst}.010Z`],
    [RUBY_DATE, 'Thu Feb 04 21:00:57.012 -0800 2010', `${pst}.012Z`],
    [RFC850, 'Thursday, 04-Feb-10 21:00:57.0123 PST', `${pst}.012Z`],
    [RFC1123Z, 'Thu, 04 Feb 2010 21:00:57.01234 -0800', `${pst}.012Z`],
    [RFC3339, '2010-02-04T21:00:57.012345678-08:00', `${pst}.012Z`],
    ['2006-01-02 15:04:05', '2010-02-04 21:00:57.0', `${pst}.000Z`],
    // The amount of white space and the case of names do not matter.
    [ANSIC, 'Thu Feb 4 21:00:57 2010', `${pst}.000Z`],
    [ANSIC, 'Thu      Feb     4     21:00:57     2010', `${pst}.000Z`],
    [ANSIC, 'THU FEB 4 21:00:57 2010', `${pst}.000Z`],
    [ANSIC, 'thu feb 4 21:00:57 2010', `${pst}.000Z`],
    ['Mon Jan _2 15:04:05.000 2006', 'Thu Feb  4 21:00:57.012 2010', `${pst}.012Z`],
    ['Mon Jan _2 15:04:05,000000 2006', 'Thu Feb  4 21:00:57.012345 2010', `${pst}.012Z`],
    ['2006.01.02.15.04.05.0', '2010.02.04.21.00.57.0', `${pst}.000Z`],
    ['2006.01.02.15.04.05.00', '2010.02.04.21.00.57.01', `${pst}.010Z`],
    ['Hi Janet, the Month is January: Jan _2 15:04:05 2006', 'Hi Janet, the Month is February: Feb  4 21:00:57 2010', `${pst}.000Z`],
    // Go keeps this instant and shows it in a made-up zone eight hours west.
    [UNIX_DATE, 'Fri Feb  5 05:00:57 GMT-8 2010', `${pst}.000Z`],
    ['2006-01-02 15:04:05.9999 -0700 MST', '2010-02-04 21:00:57 -0800 PST', `${pst}.000Z`],
    ['2006-01-02 15:04:05.999999999 -0700 MST', '2010-02-04 21:00:57.0123 -0800 PST', `${pst}.012Z`],
    ['2006-01-02 15:04:05,9999 -0700 MST', '2010-02-04 21:00:57.012345678 -0800 PST', `${pst}.012Z`],
    ['2006-01-02 002 15:04:05', '2010-02-04 035 21:00:57', `${pst}.000Z`],
    ['2006-002 15:04:05', '2010-035 21:00:57', `${pst}.000Z`],
    ['200600201 15:04:05', '201003502 21:00:57', `${pst}.000Z`],
  ];
  for (const [layout, value, iso] of cases) parsesTo(layout, value, LA, iso);
});

test('parsing: zones, defaults and the value of the zone argument', () => {
  parsesTo(RFC3339, '2009-11-10T18:00:00-05:00', 'UTC', '2009-11-10T23:00:00.000Z');
  parsesTo(RFC3339, '2009-11-10T23:00:00Z', 'America/New_York', '2009-11-10T23:00:00.000Z');
  // Without a zone in the value, the time is read in the given zone.
  parsesTo('2006-01-02', '2009-11-10', 'UTC', '2009-11-10T00:00:00.000Z');
  parsesTo('2006-01-02', '2009-11-10', 'America/New_York', '2009-11-10T05:00:00.000Z');
  parsesTo('2006-Jan-02', '2013-Feb-03', 'UTC', '2013-02-03T00:00:00.000Z');
  parsesTo('Jan 2, 2006 at 3:04pm (MST)', 'Feb 3, 2013 at 7:54pm (PST)', LA, '2013-02-04T03:54:00.000Z');
  parsesTo('Jan 2, 2006 at 3:04pm (MST)', 'Jul 9, 2012 at 5:02am (CEST)', 'Europe/Berlin', '2012-07-09T03:02:00.000Z');
  parsesTo('2006-Jan-02', '2012-Jul-09', 'Europe/Berlin', '2012-07-08T22:00:00.000Z');
  // An abbreviation the zone does not use counts as offset zero.
  parsesTo(UNIX_DATE, 'Tue Nov 10 23:00:00 PST 2009', 'UTC', '2009-11-10T23:00:00.000Z');
  parsesTo(UNIX_DATE, 'Tue Nov 10 23:00:00 UTC 2009', LA, '2009-11-10T23:00:00.000Z');
  parsesTo(RUBY_DATE, 'Mon Jan 02 15:04:05 +0123 2006', 'UTC', '2006-01-02T13:41:05.000Z');
  parsesTo('2006-01-02T15:04:05-07:00:00', '1871-01-01T05:33:02-00:34:08', 'UTC', '1871-01-01T06:07:10.000Z');
  parsesTo('2006-01-02T15:04:05Z070000', '1871-01-01T05:33:02+003408', 'UTC', '1871-01-01T04:58:54.000Z');
  parsesTo('2006-01-02T15:04:05Z07', '1871-01-01T05:33:02-02', 'UTC', '1871-01-01T07:33:02.000Z');
  parsesTo('15:04_20060102', '14:38_20150618', 'UTC', '2015-06-18T14:38:00.000Z');
  parsesTo('06-01-02', '69-01-02', 'UTC', '1969-01-02T00:00:00.000Z');
  parsesTo('06-01-02', '68-01-02', 'UTC', '2068-01-02T00:00:00.000Z');
  parsesTo('2006-01-02', '0005-03-04', 'UTC', '0005-03-04T00:00:00.000Z');
  // Elements left out default to January 1 of year 0, midnight.
  parsesTo('3:04pm', '3:04pm', 'UTC', '0000-01-01T15:04:00.000Z');
  parsesTo('3:04PM', '12:00PM', 'UTC', '0000-01-01T12:00:00.000Z');
  parsesTo('3:04PM', '12:00AM', 'UTC', '0000-01-01T00:00:00.000Z');
  parsesTo('2006-002', '2020-060', 'UTC', '2020-02-29T00:00:00.000Z');
  parsesTo('2006-002', '2020-366', 'UTC', '2020-12-31T00:00:00.000Z');
  parsesTo('2006-002', '2019-365', 'UTC', '2019-12-31T00:00:00.000Z');
  parsesTo('Jan __2 2006', 'Feb  35 2010', 'UTC', '2010-02-04T00:00:00.000Z');
  parsesTo(RFC3339, '2021-09-29T16:04:33.9999999999999999Z', 'UTC', '2021-09-29T16:04:33.999Z');
  parsesTo(RFC3339, '2021-09-29T16:04:33.0000000001Z', 'UTC', '2021-09-29T16:04:33.000Z');
});

test('parse errors carry Go messages', () => {
  rejects('2006-01-02', '2009-1-10', 'parsing time "2009-1-10" as "2006-01-02": cannot parse "1-10" as "01"');
  rejects(RFC3339, '2006-01-02T15:04:05Z07:00', 'parsing time "2006-01-02T15:04:05Z07:00": extra text: "07:00"');
  rejects(RFC3339, '2006-01-02T15:04_abc', 'parsing time "2006-01-02T15:04_abc" as "2006-01-02T15:04:05Z07:00": cannot parse "_abc" as ":"');
  rejects(RFC3339, '2006-01-02T15:04:05_abc', 'parsing time "2006-01-02T15:04:05_abc" as "2006-01-02T15:04:05Z07:00": cannot parse "_abc" as "Z07:00"');
  rejects(RFC3339, '2006-01-02T15:04:05Z_abc', 'parsing time "2006-01-02T15:04:05Z_abc": extra text: "_abc"');
  rejects('"2006-01-02T15:04:05Z07:00"', '0', 'parsing time "0" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "0" as "\\""');
  rejects(RFC3339, '"', 'parsing time "\\"" as "2006-01-02T15:04:05Z07:00": cannot parse "\\"" as "2006"');
  rejects(STAMP_NANO, 'Dec  7 11:22:01.000000', 'parsing time "Dec  7 11:22:01.000000" as "Jan _2 15:04:05.000000000": cannot parse ".000000" as ".000000000"');
  rejects(STAMP_NANO, 'Dec  7 11:22:01.0000000000', 'parsing time "Dec  7 11:22:01.0000000000": extra text: "0"');
  rejects('2006-01-02', '2009-13-10', 'parsing time "2009-13-10": month out of range');
  rejects('2006-01-02', '2009-02-30', 'parsing time "2009-02-30": day out of range');
  rejects('2006-01-02', '2009-02-03x', 'parsing time "2009-02-03x": extra text: "x"');
  rejects('2006 at 3', '2009 ax 4', 'parsing time "2009 ax 4" as "2006 at 3": cannot parse "x 4" as " at "');
  rejects('Mon 2006', '☺ 2006', 'parsing time "\\xe2\\x98\\xba 2006" as "Mon 2006": cannot parse "\\xe2\\x98\\xba 2006" as "Mon"');
  rejectsWith(ANSIC, 'Feb  4 21:00:60 2010', 'cannot parse');
  rejectsWith(ANSIC, 'Thu Feb  4 21:00:57 @2010', 'cannot parse');
  rejectsWith(ANSIC, 'Thu Feb  4 21:00:60 2010', 'second out of range');
  rejectsWith(ANSIC, 'Thu Feb  4 21:61:57 2010', 'minute out of range');
  rejectsWith(ANSIC, 'Thu Feb  4 24:00:60 2010', 'hour out of range');
  rejectsWith('Mon Jan _2 15:04:05.000 2006', 'Thu Feb  4 23:00:59x01 2010', 'cannot parse');
  rejectsWith('Mon Jan _2 15:04:05.000 2006', 'Thu Feb  4 23:00:59.xxx 2010', 'cannot parse');
  rejectsWith('Mon Jan _2 15:04:05.000 2006', 'Thu Feb  4 23:00:59.-123 2010', 'fractional second out of range');
  rejectsWith(RFC3339, '2010-02-04T21:00:67.012345678-08:00', 'second out of range');
  rejectsWith('_2 Jan 06 15:04 MST', '4 --- 00 00:00 GMT', 'cannot parse');
  rejectsWith('_2 January 06 15:04 MST', '4 --- 00 00:00 GMT', 'cannot parse');
  rejectsWith('Jan _2 002 2006', 'Feb  4 034 2006', 'day-of-year does not match day');
  rejectsWith('Jan _2 002 2006', 'Feb  4 004 2006', 'day-of-year does not match month');
  rejectsWith('2006-002', '2019-366', 'day-of-year out of range');
  rejectsWith('01 MST', '0 MST', 'cannot parse "0 MST" as "01"');
  rejectsWith(RFC850, 'Thursday, 04-Feb-1 21:00:57 PST', 'cannot parse "1 21:00:57 PST" as "06"');
  rejectsWith('01-02', '00-01', 'month out of range');
  rejectsWith('01-02', '13-01', 'month out of range');
  for (const [date, ok] of [
    ['Thu Jan 99 21:00:57 2010', false],
    ['Thu Jan 31 21:00:57 2010', true],
    ['Thu Feb 29 21:00:57 2012', true],
    ['Thu Feb 29 21:00:57 2010', false],
    ['Thu Apr 31 21:00:57 2010', false],
    ['Thu Dec 00 21:00:57 2010', false],
  ] as const) {
    if (ok) parseGoDate(ANSIC, date, 'UTC');
    else rejectsWith(ANSIC, date, 'day out of range');
  }
});

test('zone abbreviations in values: parseTimeZone’s rules', () => {
  parsesTo('MST 2006', 'GMT+12 2010', 'UTC', '2010-01-01T00:00:00.000Z');
  parsesTo('MST 2006', 'ChST 2010', 'UTC', '2010-01-01T00:00:00.000Z');
  parsesTo('MST 2006', 'ESAST 2010', 'UTC', '2010-01-01T00:00:00.000Z');
  parsesTo('MST 2006', 'WITA 2010', 'UTC', '2010-01-01T00:00:00.000Z');
  parsesTo('MST 2006', '+03 2010', 'UTC', '2010-01-01T00:00:00.000Z');
  rejectsWith('MST 2006', 'MSDY 2010', 'cannot parse "MSDY 2010" as "MST"');
  rejectsWith('MST 2006', 'ESASTT 2010', 'cannot parse');
  rejectsWith('MST 2006', 'gmt 2010', 'cannot parse');
  rejectsWith('MST 2006', '+24 2010', 'cannot parse');
});

test('format and parse round trip', () => {
  const layout = 'Mon MST ' + RFC3339_NANO;
  for (const zone of ['UTC', 'America/New_York', LA, 'Europe/Paris']) {
    for (const ms of [0, 1233810057012, 1700000000999, -1e11]) {
      const date = new Date(ms);
      assert.is(parseGoDate(layout, formatGoDate(layout, date, zone), zone).getTime(), ms, `${zone} ${ms}`);
    }
  }
});

test.run();

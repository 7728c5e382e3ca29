import { describe, expect, it } from 'vitest';
import { isoToLocalDateTime, localDateTimeToIso, toIsoWithOffset } from './datetime';

describe('datetime-local <-> ISO with offset', () => {
  it('keeps the instant the person meant', () => {
    const iso = localDateTimeToIso('2026-11-28T09:30');
    expect(iso).toMatch(/^2026-11-28T09:30:00\.000[+-]\d{2}:\d{2}$/);
    expect(new Date(iso ?? '').getTime()).toBe(new Date(2026, 10, 28, 9, 30).getTime());
    expect(isoToLocalDateTime(iso ?? '')).toBe('2026-11-28T09:30');
  });

  it('refuses what is not a date', () => {
    expect(localDateTimeToIso('')).toBeNull();
    expect(localDateTimeToIso('2026-02-30T10:00')).toBeNull();
    expect(localDateTimeToIso('tomorrow')).toBeNull();
  });

  it('writes the offset as ±hh:mm', () => {
    expect(toIsoWithOffset(new Date(0))).toMatch(/[+-]\d{2}:\d{2}$/);
  });
});

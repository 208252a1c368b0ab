import { describe, expect, it } from 'vitest';
import { isEnded, localDate, profileNotice, serviceState, withDatedNotice } from '#common/profile/lifecycle';

const twilio = {
  name: 'Twilio Programmable Video',
  endOfService: '2026-12-05',
  notice: 'Plan a move to another provider.',
};

describe('end of service, from the date and an injected clock', () => {
  it.each([
    ['2026-12-01', 'ending', 'Twilio Programmable Video ends on 2026-12-05. Plan a move to another provider.'],
    ['2026-12-04', 'ending', 'Twilio Programmable Video ends on 2026-12-05. Plan a move to another provider.'],
    [
      '2026-12-05',
      'ended',
      'Twilio Programmable Video ended on 2026-12-05: this profile is for diagnosing existing deployments. Plan a move to another provider.',
    ],
    [
      '2027-01-10',
      'ended',
      'Twilio Programmable Video ended on 2026-12-05: this profile is for diagnosing existing deployments. Plan a move to another provider.',
    ],
  ])('on %s the service is %s and the notice says so', (today, state, notice) => {
    expect(serviceState(twilio, today).state).toBe(state);
    expect(isEnded(twilio, today)).toBe(state === 'ended');
    expect(profileNotice(twilio, today)).toBe(notice);
  });

  it('a profile without a date is live and keeps its own notice (or none)', () => {
    expect(serviceState({}, '2099-01-01')).toEqual({ state: 'live' });
    expect(profileNotice({ name: 'Z', notice: 'n' }, '2026-12-06')).toBe('n');
    expect(profileNotice({ name: 'Z' }, '2026-12-06')).toBeUndefined();
    expect(withDatedNotice({ name: 'Z', notice: 'n' }, '2026-12-06')).toEqual({ name: 'Z', notice: 'n' });
    expect(withDatedNotice({ name: 'Z' }, '2026-12-06')).toEqual({ name: 'Z' });
  });

  it('uses the local calendar date, not UTC', () => {
    expect(localDate(new Date(2026, 11, 4, 23, 59))).toBe('2026-12-04');
    expect(localDate(new Date(2026, 11, 5, 0, 1))).toBe('2026-12-05');
  });
});

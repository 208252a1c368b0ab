/**
 * A provider's end of service, from the profile's `endOfService` date and today's date — never a
 * date written into a sentence, which turns false the day after. `today` is a local calendar date
 * (`YYYY-MM-DD`, see `localDate`), injected so the wording is tested before, on and after the day.
 */

export type ServiceState = { state: 'live' } | { state: 'ending'; date: string } | { state: 'ended'; date: string };

/** The local calendar date of `now` as `YYYY-MM-DD`. */
export function localDate(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** On the end date itself the service is gone (providers switch off during that day). */
export function serviceState(profile: { endOfService?: string }, today: string): ServiceState {
  const date = profile.endOfService;
  if (!date) return { state: 'live' };
  return today >= date ? { state: 'ended', date } : { state: 'ending', date };
}

export function isEnded(profile: { endOfService?: string }, today: string): boolean {
  return serviceState(profile, today).state === 'ended';
}

/**
 * The notice shown with a profile: the end-of-service sentence for today, then the profile's own
 * notice (if any). Undefined when there is nothing to say.
 */
export function profileNotice(
  profile: { name: string; endOfService?: string; notice?: string },
  today: string,
): string | undefined {
  const s = serviceState(profile, today);
  const dated =
    s.state === 'ending'
      ? `${profile.name} ends on ${s.date}.`
      : s.state === 'ended'
        ? `${profile.name} ended on ${s.date}: this profile is for diagnosing existing deployments.`
        : '';
  const text = [dated, profile.notice ?? ''].filter(Boolean).join(' ');
  return text || undefined;
}

/** The profile as a run reports it: `notice` replaced by today's `profileNotice` (the report keeps it). */
export function withDatedNotice<P extends { name: string; endOfService?: string; notice?: string }>(
  profile: P,
  today: string,
): P {
  const { notice: _own, ...rest } = profile;
  const notice = profileNotice(profile, today);
  return (notice ? { ...rest, notice } : rest) as P;
}

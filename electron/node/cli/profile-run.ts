import { isEnded, localDate } from '#common/profile/lifecycle';
import { runnableProfile } from '#common/profile/prepare';
import type { Profile } from '#common/profile/schema';
import { plainText } from '#common/text/sanitize';
import { homedir } from 'node:os';
import { proxyFromEnv } from '../net/proxy';
import { defaultFeedCacheDir, feedAge, feedCache, fetchFeed, withFeedAddresses } from '../profiles/feed';
import { ProfileError } from '../profiles/resolve';

/**
 * The loaded profile filled in with `--param` values and dated for today. A missing or invalid
 * parameter makes the profile invalid (exit 65) with an error naming the parameter. An ended
 * profile still runs (it diagnoses existing deployments) but a warning says so first.
 */
export function prepareForRun(
  loaded: Profile,
  params: Record<string, string> | undefined,
  io: { stderr: { write(s: string): unknown }; now?: () => Date },
  source: string,
): Profile {
  const today = localDate(io.now?.() ?? new Date());
  const r = runnableProfile(loaded, params, today);
  if (!r.ok) {
    throw new ProfileError(
      source,
      r.errors.map((e) => ({
        path: e.path,
        message: e.name ? `${e.message}; give it with --param ${e.name}=value` : e.message,
      })),
    );
  }
  if (isEnded(loaded, today))
    io.stderr.write(`pathcheck: warning: ${plainText(r.profile.notice ?? `${loaded.name} has ended service.`)}\n`);
  return r.profile;
}

/**
 * The profile's published address ranges, when it names a feed: fetched now only with the user's
 * consent (`--refresh-ranges`), else read from the cache; the profile's own list otherwise. Says on
 * stderr where the ranges came from and how old they are; the record goes into the report.
 */
export async function withRanges(
  profile: Profile,
  opts: {
    refresh: boolean;
    env: Record<string, string | undefined>;
    stderr: { write(s: string): unknown };
    now?: () => Date;
    ca?: string;
    signal?: AbortSignal;
  },
): Promise<{ profile: Profile; feed?: { url: string; fetchedAt: string } }> {
  const feed = profile.addressFeed;
  if (!feed) return { profile };
  const cache = feedCache(defaultFeedCacheDir(opts.env, homedir()));
  let ranges = null;
  if (opts.refresh) {
    try {
      const proxy = proxyFromEnv(opts.env, feed.url);
      ranges = await fetchFeed(feed, {
        deadlineMs: 15_000,
        proxy,
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.now ? { now: opts.now } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      await cache
        .save(ranges)
        .catch((e: Error) =>
          opts.stderr.write(`pathcheck: note: the fetched ranges could not be cached: ${plainText(e.message)}\n`),
        );
    } catch (e) {
      opts.stderr.write(`pathcheck: the address ranges were not updated: ${plainText((e as Error).message)}\n`);
      ranges = null;
    }
  }
  ranges ??= await cache.load(feed);
  if (!ranges) {
    opts.stderr.write(
      `pathcheck: note: using the address ranges listed in the profile; --refresh-ranges fetches the current ones from ${plainText(feed.url)}\n`,
    );
    return { profile };
  }
  opts.stderr.write(
    `pathcheck: address ranges from ${plainText(feed.url)}, ${feedAge(ranges.fetchedAt, opts.now?.() ?? new Date())}\n`,
  );
  return { profile: withFeedAddresses(profile, ranges), feed: { url: ranges.url, fetchedAt: ranges.fetchedAt } };
}

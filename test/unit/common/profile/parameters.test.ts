import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyParameters, parameterValueProblem, patternProblem } from '#common/profile/parameters';
import { parseProfile, parseProfileJson, profileHosts, type Profile } from '#common/profile/schema';

const dir = join(__dirname, '../../../../resources/profiles');
const load = (f: string): Profile => {
  const r = parseProfileJson(readFileSync(join(dir, f), 'utf8'));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.profile;
};
const base = { schemaVersion: 1, id: 'p', name: 'P', group: { udpPorts: [[1, 2]] } };
const param = { name: 'server', label: 'Server', pattern: '[a-z0-9.-]{1,253}', example: 'meet.example.org' };

describe('profile parameters', () => {
  it('LiveKit Cloud: --param project=acme fills every host', () => {
    const r = applyParameters(load('livekit-cloud.json'), { project: 'acme' });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(profileHosts(r.profile)).toEqual([
      'acme.livekit.cloud',
      'acme.turn.livekit.cloud',
      'acme.host.livekit.cloud',
    ]);
  });

  it.each([
    [{}, 'parameters.project', /LiveKit Cloud project subdomain is required \(for example acme\)/],
    [{ project: '' }, 'parameters.project', /is required/],
    [{ project: 'ac me' }, 'parameters.project', /letters, digits, hyphens and dots/],
    [{ project: 'acme.evil.example/' }, 'parameters.project', /letters, digits/],
    [{ project: 'a.b' }, 'parameters.project', /expected form/],
    [{ project: 'acme-' }, 'parameters.project', /letters, digits/],
    [{ project: 'acme', region: 'eu' }, 'parameters.region', /no parameter "region" \(it has project\)/],
  ])('%j is refused, naming the parameter', (values, path, message) => {
    const r = applyParameters(load('livekit-cloud.json'), values);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors).toContainEqual(expect.objectContaining({ path, message: expect.stringMatching(message) }));
  });

  it('a value that fits the pattern but makes no valid host name is refused with the host', () => {
    const r = applyParameters(load('jitsi.json'), { server: 'meet..acme' });
    expect(r).toMatchObject({
      ok: false,
      errors: [{ path: 'parameters.server', message: 'makes a host that is not a valid name: meet..acme' }],
    });
  });

  it('Jitsi and the custom stack ask for their server names', () => {
    const j = applyParameters(load('jitsi.json'), { server: 'meet.acme.example' });
    expect(j.ok && profileHosts(j.profile)).toEqual(['meet.acme.example']);
    const c = applyParameters(load('custom.json'), { domain: 'acme.example' });
    expect(c.ok && profileHosts(c.profile)).toEqual([
      'sig.acme.example',
      'stun.acme.example',
      'turn.acme.example',
      'media.acme.example',
      'reflect.acme.example',
    ]);
  });

  it('the schema refuses undeclared, unused, duplicate and ill-fitting parameters', () => {
    const errs = (patch: object) => {
      const r = parseProfile({ ...base, ...patch });
      return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
    };
    expect(errs({ stun: [{ host: '${nope}.example.com', port: 3478 }] })).toContainEqual(
      expect.stringMatching(/^stun\[0\]\.host: uses \$\{nope\}/),
    );
    expect(errs({ stun: [{ host: 'x.example.com', port: 1 }], parameters: [param] })).toContainEqual(
      expect.stringMatching(/parameters\[0\]\.name: "server" is not used/),
    );
    expect(errs({ stun: [{ host: '${server}', port: 1 }], parameters: [param, param] })).toContainEqual(
      expect.stringMatching(/declared twice/),
    );
    expect(
      errs({ stun: [{ host: '${server}', port: 1 }], parameters: [{ ...param, example: 'BAD EXAMPLE' }] }),
    ).toContainEqual(expect.stringMatching(/parameters\[0\]\.example/));
    expect(errs({ stun: [{ host: '${Server}', port: 1 }] })).toContainEqual(
      expect.stringMatching(/stun\[0\]\.host: must be a hostname/),
    );
    expect(errs({ stun: [{ host: '${server}', port: 1 }], parameters: [param] })).toEqual([]);
  });

  it('patterns that could backtrack for ever are refused, ordinary ones pass', () => {
    expect(patternProblem('(a+)+$')).toMatch(/exponential/);
    expect(patternProblem('(a|aa)*')).toMatch(/exponential/);
    expect(patternProblem('(x)\\1')).toMatch(/back-references/);
    expect(patternProblem('[')).toMatch(/not a valid regular expression/);
    expect(patternProblem('[a-z0-9][a-z0-9-]{0,62}')).toBeNull();
    expect(patternProblem('([a-z0-9-]*[a-z0-9])?')).toBeNull();
    expect(parameterValueProblem({ ...param, pattern: 'meet' }, 'meet.x')).toMatch(/expected form/); // anchored
  });
});

/**
 * NAT behaviour discovery (RFC 5780 §4.3 mapping, §4.4 filtering) against a server that advertises
 * OTHER-ADDRESS; otherwise mapped ports towards two destinations are compared (mapping only).
 */
import { networkInterfaces } from 'node:os';
import { DEFAULT_DEADLINE_MS, StunClass } from './constants';
import { answerAddressProblem, canonicalIp, destinationProblem, formatAddress, type TransportAddress } from './address';
import { bindingOn, describeEndpoint, failureOutcome, sentence, openChannel, type TransactionResult } from './client';
import { openUdp, ProbeError, ProbeScope, resolveHost, type SocketAddress, type StunChannel } from './transport';
import type { ProbeOptions, ProbeOutcome, StunEndpoint } from './types';

export type NatBehaviour =
  'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent' | 'none' | 'unknown';

export interface NatOptions extends ProbeOptions {
  /** Second destination for the fallback (another STUN server, or the same one on a second port). */
  secondary?: { host: string; port: number };
  /** How long a filtering test waits for an answer that a filtering NAT would drop (default 1000 ms). */
  filterTimeoutMs?: number;
}

export interface NatEvidence extends Record<string, unknown> {
  server: string;
  method: 'rfc5780' | 'two-destinations' | 'single';
  mapping: NatBehaviour;
  filtering: NatBehaviour;
  behaveCompliant: boolean;
  publicAddress?: string;
  local?: SocketAddress;
  mapped?: TransportAddress;
  otherAddress?: TransportAddress;
  /** Why the server's OTHER-ADDRESS was not probed (outside the trusted ranges, special-purpose…). */
  otherAddressRefused?: string;
  /** Each step: what was sent where, and the mapped address seen (or 'no answer'). */
  tests: Array<{ test: string; to: string; mapped?: string; answered: boolean }>;
}

const sameMapping = (a?: TransportAddress, b?: TransportAddress): boolean =>
  !!a && !!b && canonicalIp(a.address) === canonicalIp(b.address) && a.port === b.port;

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.add(canonicalIp(i.address));
  return out;
}

/** Mapped == local (same port, and an address of this machine) means no NAT on the path. */
function noNat(local: SocketAddress, mapped: TransportAddress): boolean {
  if (local.port !== mapped.port) return false;
  const m = canonicalIp(mapped.address);
  return canonicalIp(local.address) === m || localAddresses().has(m);
}

/**
 * RFC 5780 behaviour discovery. Mapping tests reuse one socket (§4.3); every filtering test uses a fresh
 * socket (§4.4), because a pinhole opened by an earlier test would make any NAT look endpoint-independent.
 */
export async function natBehavior(endpoint: StunEndpoint, opts: NatOptions = {}): Promise<ProbeOutcome<NatEvidence>> {
  return sentence(await discover(endpoint, opts));
}

async function discover(endpoint: StunEndpoint, opts: NatOptions): Promise<ProbeOutcome<NatEvidence>> {
  const scope = new ProbeScope(opts.deadlineMs ?? DEFAULT_DEADLINE_MS * 2, opts.signal);
  const what = describeEndpoint({ ...endpoint, transport: 'udp' });
  const ev: NatEvidence = {
    server: formatAddress({ address: endpoint.host, port: endpoint.port }),
    method: 'single',
    mapping: 'unknown',
    filtering: 'unknown',
    behaveCompliant: false,
    tests: [],
  };
  const filterMs = opts.filterTimeoutMs ?? 1000;
  let serverIp = endpoint.host;
  const step = async (
    ch: StunChannel,
    test: string,
    to: SocketAddress,
    extra: { changeIp?: boolean; changePort?: boolean; silenceOk?: boolean; withinMs?: number } = {},
  ): Promise<TransactionResult | undefined> => {
    const changeRequest =
      extra.changeIp || extra.changePort ? { changeIp: !!extra.changeIp, changePort: !!extra.changePort } : undefined;
    try {
      const r = await bindingOn(scope, ch, {
        to,
        rtoMs: opts.rtoMs,
        changeRequest,
        withinMs: extra.withinMs ?? (extra.silenceOk ? filterMs : undefined),
        software: opts.software,
      });
      const mapped = r.msg.attrs.xorMappedAddress ?? r.msg.attrs.mappedAddress;
      if (r.msg.cls !== StunClass.successResponse || !mapped)
        throw new ProbeError(
          'protocol-error',
          `${test}: the server answered without a mapped address`,
          r.msg.attrs.errorCode ? String(r.msg.attrs.errorCode.code) : undefined,
          test,
        );
      const problem = answerAddressProblem(mapped, canonicalIp(serverIp));
      if (problem)
        throw new ProbeError(
          'bad-response',
          `${test}: the public address it reports cannot be right (${problem})`,
          'mapped-address',
          test,
        );
      ev.tests.push({ test, to: formatAddress(to), mapped: formatAddress(mapped), answered: true });
      return r;
    } catch (e) {
      if (extra.silenceOk && e instanceof ProbeError && e.reason === 'timeout' && !scope.cancelled) {
        ev.tests.push({ test, to: formatAddress(to), answered: false });
        return undefined;
      }
      throw e;
    }
  };
  try {
    const primaryIp = await resolveHost(scope, endpoint.host);
    serverIp = primaryIp;
    const primary = { address: primaryIp, port: endpoint.port };
    const udp = { ...endpoint, host: primaryIp, transport: 'udp' as const };
    const s = await openChannel(scope, udp, { ...opts, connectUdp: false });
    ev.local = s.local;
    const r1 = (await step(s, 'mapping I', primary))!;
    const m1 = (r1.msg.attrs.xorMappedAddress ?? r1.msg.attrs.mappedAddress)!;
    ev.mapped = m1;
    ev.publicAddress = m1.address;
    const other = r1.msg.attrs.otherAddress;
    ev.otherAddress = other;
    // The server names the address for tests II and III: only probed where the profile says the
    // provider is (or where the server itself is), never a special-purpose address.
    const refused = other ? destinationProblem(other, primaryIp, opts.trusted) : null;
    if (refused) ev.otherAddressRefused = refused.message;
    const isNoNat = noNat(s.local, m1);
    const rtt = r1.rttMs;

    if (other && !refused && canonicalIp(other.address) !== canonicalIp(primaryIp) && other.port !== primary.port) {
      ev.method = 'rfc5780';
      // §4.3 mapping: test II towards the other IP, primary port; test III towards the other IP and port.
      // If the other address stays silent (a firewall that only opens the primary), mapping stays 'unknown'
      // and the filtering tests still run, instead of failing the whole probe.
      const mapOpts = { silenceOk: true, withinMs: 2 * filterMs };
      if (isNoNat) ev.mapping = 'none';
      else {
        const m2 = (await step(s, 'mapping II', { address: other.address, port: primary.port }, mapOpts))?.msg.attrs
          .xorMappedAddress;
        if (!m2) ev.mapping = 'unknown';
        else if (sameMapping(m1, m2)) ev.mapping = 'endpoint-independent';
        else {
          const m3 = (await step(s, 'mapping III', { address: other.address, port: other.port }, mapOpts))?.msg.attrs
            .xorMappedAddress;
          ev.mapping = !m3 ? 'unknown' : sameMapping(m2, m3) ? 'address-dependent' : 'address-and-port-dependent';
        }
      }
      // §4.4 filtering, each test on a fresh socket.
      const fresh = async (): Promise<StunChannel> =>
        openUdp(scope, primary, { connect: false, localAddress: opts.localAddress });
      const f2 = await fresh();
      await step(f2, 'filtering I', primary);
      if (
        await step(f2, 'filtering II (change IP and port)', primary, {
          changeIp: true,
          changePort: true,
          silenceOk: true,
        })
      ) {
        ev.filtering = 'endpoint-independent';
      } else {
        const f3 = await fresh();
        await step(f3, 'filtering I (fresh socket)', primary);
        const r3 = await step(f3, 'filtering III (change port)', primary, { changePort: true, silenceOk: true });
        ev.filtering = r3 ? 'address-dependent' : 'address-and-port-dependent';
      }
    } else if (opts.secondary) {
      ev.method = 'two-destinations';
      const second = { address: await resolveHost(scope, opts.secondary.host), port: opts.secondary.port };
      const m2 = (await step(s, 'second destination', second))!.msg.attrs.xorMappedAddress;
      if (isNoNat) ev.mapping = 'none';
      else if (sameMapping(m1, m2)) ev.mapping = 'endpoint-independent';
      // Same IP, other port, new mapping: port-dependent. Other IP: at least address-dependent
      // (whether the port matters too is not tested with only two destinations).
      else
        ev.mapping =
          canonicalIp(second.address) === canonicalIp(primaryIp) ? 'address-and-port-dependent' : 'address-dependent';
    } else if (isNoNat) {
      ev.mapping = 'none';
    }
    ev.behaveCompliant = ev.mapping === 'endpoint-independent' || ev.mapping === 'none';
    const summary = `mapping ${ev.mapping}, filtering ${ev.filtering}`;
    if (ev.mapping === 'unknown') {
      const why =
        ev.method === 'rfc5780'
          ? `${what}'s second address did not answer`
          : ev.otherAddressRefused
            ? `${what} named a second address that Pathcheck does not probe (${ev.otherAddressRefused}) and no second server was given`
            : `${what} has no second address (RFC 5780) and no second server was given`;
      return {
        status: 'warn',
        rttMs: rtt,
        reason: 'ok',
        detail: `The NAT type could not be determined: ${why}.`,
        evidence: ev,
      };
    }
    if (!ev.behaveCompliant) {
      return {
        status: 'warn',
        rttMs: rtt,
        reason: 'ok',
        detail: `This network's NAT gives a new public port per destination (${summary}); direct peer-to-peer video will need a TURN relay.`,
        evidence: ev,
      };
    }
    return {
      status: 'pass',
      rttMs: rtt,
      reason: 'ok',
      detail:
        ev.mapping === 'none'
          ? `No NAT between this computer and ${what} (${summary}).`
          : `The NAT keeps one public port for all destinations (${summary}), which peer-to-peer video needs.`,
      evidence: ev,
    };
  } catch (e) {
    // A server caught answering wrongly is not believed about the public address either.
    if (e instanceof ProbeError && e.reason === 'bad-response') delete ev.publicAddress;
    return failureOutcome(e, what, ev);
  } finally {
    scope.dispose();
  }
}

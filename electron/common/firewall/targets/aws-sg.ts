import type { FirewallInput } from '../types';
import { defineTarget, type TargetOutput } from './target';
import { commentBlock, headerLines, joinLines, planDestinations, reasonLines } from './shared';

/**
 * AWS security group egress (`aws ec2 authorize-security-group-egress`). One IpPermission per
 * protocol and port range (the API has no port lists); every range is described `pathcheck`.
 * Security groups only name CIDRs, so host names are skipped. Undo revokes the same permissions.
 */
function generateAwsSg(input: FirewallInput): TargetOutput {
  const { rules, remarks } = planDestinations(input, awsSg);
  const perms = rules.flatMap((d) =>
    d.req.ports.map(([from, to]) => ({
      IpProtocol: d.req.protocol,
      FromPort: from,
      ToPort: to,
      IpRanges: (d.any ? ['0.0.0.0/0'] : d.v4).map((c) => ({
        CidrIp: c.includes('/') ? c : `${c}/32`,
        Description: `${input.tag} ${d.req.name}`,
      })),
      Ipv6Ranges: (d.any ? ['::/0'] : d.v6).map((c) => ({
        CidrIpv6: c.includes('/') ? c : `${c}/128`,
        Description: `${input.tag} ${d.req.name}`,
      })),
    })),
  );
  const json = JSON.stringify(perms);
  const head = [
    '#!/bin/sh',
    ...commentBlock('# ', headerLines(input, 'AWS security group egress', 'undo revokes the same permissions')),
    '# Set SG_ID to the security group of the instances (sg-...). The default egress rule allows all; this matters only when it was removed.',
    ...commentBlock('# ', remarks),
    ...rules.flatMap((d) => commentBlock('# ', reasonLines(d.req))),
    'set -eu',
    ': "${SG_ID:?set SG_ID to the security group id, e.g. SG_ID=sg-0123456789abcdef0}"',
  ];
  const text = joinLines([
    ...head,
    `aws ec2 authorize-security-group-egress --group-id "$SG_ID" --ip-permissions '${json}'`,
  ]);
  const undo = joinLines([
    '#!/bin/sh',
    '# Pathcheck: revoke the egress permissions added above',
    'set -eu',
    ': "${SG_ID:?set SG_ID to the security group id}"',
    `aws ec2 revoke-security-group-egress --group-id "$SG_ID" --ip-permissions '${json}'`,
  ]);
  return { format: 'shell', text, undo, notes: remarks };
}

export const awsSg = defineTarget({
  id: 'aws-sg',
  label: 'AWS security group (egress)',
  kind: 'cloud',
  supportsHostnames: false,
  generate: generateAwsSg,
});

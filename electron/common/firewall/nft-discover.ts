import { FirewallInputError, type NftChainHint } from './types';

/**
 * Finding the output filter chains that drop, when nobody could look before: the one jq program
 * (over `nft -j list ruleset`) and the one list of other products' tables that both the fixed
 * elevated script (`resources/firewall/apply-linux.sh`, discover mode) and the nftables output for
 * a report that did not see the chains use. The script carries this exact text
 * (test/unit/common/firewall/nft-discover.test.ts compares them), so the two can never disagree.
 */

/** Prints `<family> <table> <chain>` for each base chain on the output hook of type filter that drops (policy or a drop/reject rule). */
export const NFT_DROPPING_OUTPUT_CHAINS_JQ = `
    .nftables as $all
    | [$all[] | select(.rule) | .rule | select([.expr[]? | objects | has("drop") or has("reject")] | any) | "\\(.family) \\(.table) \\(.chain)"] as $dropping
    | $all[] | select(.chain) | .chain | select(.hook == "output" and .type == "filter")
    | "\\(.family) \\(.table) \\(.name)" as $k
    | select(.policy == "drop" or any($dropping[]; . == $k))
    | $k`;

/** Tables of other products (FOREIGN_TABLES in apply-plan.ts), as a bash ERE matched against the lower-cased table name. */
export const FOREIGN_TABLES_ERE =
  '^(mullvad|tailscale|ts-|wg-quick|nordvpn|proton|expressvpn|firewalld|docker|podman|netavark|cni|libvirt|incus|lxd)';

/** Prints `<family> <table> <chain> <handle>` for each rule tagged `comment "<tag>"`, anywhere in the ruleset. */
export const NFT_TAGGED_RULES_JQ =
  '.nftables[] | select(.rule) | .rule | select(.comment == $tag) | "\\(.family) \\(.table) \\(.chain) \\(.handle)"';

/** One rule of the discovery script: the address family it needs (0 = any) and its nft body. */
export interface DiscoverRule {
  family: 0 | 4 | 6;
  body: string;
}

/**
 * iptables-nft's own tables (`ip filter`, `ip6 filter`: where iptables-nft, and ufw on it, keep their
 * OUTPUT chain). iptables-nft reads a rule back only in a form it could have written itself: an
 * anonymous set of addresses or ports is left out silently, so `iptables-nft-save | iptables-nft-restore`
 * (netfilter-persistent, a ufw reload) would turn `ip daddr { A, B } udp dport 3478 accept` into
 * "UDP 3478 to anywhere" and drop the tag. Rules for these tables carry one address and one port range each.
 */
export const isIptablesNftTable = (c: Pick<NftChainHint, 'family' | 'table'>): boolean =>
  (c.family === 'ip' || c.family === 'ip6') && c.table === 'filter';

/**
 * Shell lines that delete the OUTPUT-chain rules tagged `tag` with iptables-nft itself, highest line
 * first. After an iptables-nft-save | restore the tag of a rule in iptables-nft's tables is an
 * iptables comment match that nft cannot read (`nft -j` shows no comment), so only iptables-nft finds it.
 */
export function iptablesNftUndoLines(tag: string, commands: string, chain = 'OUTPUT'): string[] {
  return [
    "# In iptables-nft's tables an iptables-nft-save | restore (netfilter-persistent, a ufw reload) turns the tag",
    '# into an iptables comment match nft cannot read: iptables-nft deletes those rules.',
    `for cmd in ${commands}; do`,
    '  command -v "$cmd" >/dev/null 2>&1 || continue',
    `  { "$cmd" -L ${chain} -n --line-numbers 2>/dev/null || true; } | awk '/\\/\\* ${tag} \\*\\//{print $1}' | sort -rn | while read -r n; do`,
    `    "$cmd" -D ${chain} "$n"`,
    '  done',
    'done',
  ];
}

/** What a rule body may contain (validated values only); checked again so no text can reach the shell. */
const BODY = /^[A-Za-z0-9 {},.:/"-]+$/;

const RE_IDENT_LINE = "RE_IDENT='^[A-Za-z][A-Za-z0-9_-]{0,62}$'";
const PLAIN_CHAIN_LINE = 'plain_chain() { [[ "$1" =~ ^(inet|ip|ip6)$ && "$2" =~ $RE_IDENT && "$3" =~ $RE_IDENT ]]; }';

/**
 * Bash that finds the dropping output chains when it runs and inserts each rule into each of them
 * (IPv4 rules not into ip6 tables and the reverse), never into another product's table; if nft
 * refuses a rule, the rules this run added are deleted again (exit 3).
 */
export function nftDiscoverScript(
  header: readonly string[],
  rules: readonly DiscoverRule[],
  /** The same rules with one address and one port range each, for iptables-nft's tables (`isIptablesNftTable`). */
  single: readonly DiscoverRule[],
): string {
  rules.forEach((r, i) => {
    if (!BODY.test(r.body)) throw new FirewallInputError(`nftables.rules[${i}]`, 'unexpected character in rule text');
  });
  single.forEach((r, i) => {
    if (!BODY.test(r.body)) throw new FirewallInputError(`nftables.rules[${i}]`, 'unexpected character in rule text');
  });
  // Data lines are plain words and one quoted rule each; the fixed loop below does the rest.
  const kind = { 0: 'any', 4: 'v4', 6: 'v6' } as const;
  const data = [
    ...rules.map((r) => `${kind[r.family]} '${r.body}'`),
    ...single.map((r) => `s${kind[r.family]} '${r.body}'`),
  ];
  return [
    '#!/bin/bash',
    ...header,
    'set -euo pipefail',
    'export LC_ALL=C',
    'command -v jq >/dev/null 2>&1 || { echo "pathcheck: jq is required (apt-get install jq)" >&2; exit 2; }',
    RE_IDENT_LINE,
    `FOREIGN_RE='${FOREIGN_TABLES_ERE}'`,
    PLAIN_CHAIN_LINE,
    `chains=$(nft -j list ruleset | jq -r '${NFT_DROPPING_OUTPUT_CHAINS_JQ}')`,
    'V4=() V6=() ANY=() SV4=() SV6=() SANY=()',
    'v4() { V4+=("$1"); }',
    'v6() { V6+=("$1"); }',
    'any() { ANY+=("$1"); }',
    'sv4() { SV4+=("$1"); }',
    'sv6() { SV6+=("$1"); }',
    'sany() { SANY+=("$1"); }',
    ...data,
    'added=()',
    'rollback() {',
    '  local x f t c h',
    '  for x in "${added[@]}"; do read -r f t c h <<<"$x"; nft delete rule "$f" "$t" "$c" handle "$h" || true; done',
    '  echo "pathcheck: nft refused a rule; the rules this run added were removed again" >&2',
    '  exit 3',
    '}',
    'add() {',
    '  local out h',
    '  out=$(nft --echo --handle insert rule "$1" "$2" "$3" "$4" 2>&1) || rollback',
    "  h=$(printf '%s\\n' \"$out\" | sed -n 's/.*# handle \\([0-9][0-9]*\\)$/\\1/p' | tail -n 1)",
    '  [[ "$h" =~ ^[0-9]+$ ]] || rollback',
    '  added+=("$1 $2 $3 $h")',
    '  echo "added to $1 $2 $3: $4"',
    '}',
    'while read -r f t c; do',
    '  [ -n "${f:-}" ] || continue',
    '  plain_chain "$f" "$t" "$c" || { echo "pathcheck: skipping a chain with an unexpected name" >&2; continue; }',
    '  if [[ "${t,,}" =~ $FOREIGN_RE ]]; then',
    '    echo "pathcheck: $f $t $c drops outbound traffic but belongs to another product; left alone" >&2',
    '    continue',
    '  fi',
    '  if [ "$f" != inet ] && [ "$t" = filter ]; then',
    "    # iptables-nft's table: one address and one port range per rule, the only form iptables-nft reads back",
    '    # (a set would be left out by iptables-nft-save, widening the rule). An ip table sees only IPv4 packets.',
    '    if [ "$f" = ip ]; then for b in "${SV4[@]}"; do add "$f" "$t" "$c" "$b"; done; fi',
    '    if [ "$f" = ip6 ]; then for b in "${SV6[@]}"; do add "$f" "$t" "$c" "$b"; done; fi',
    '    for b in "${SANY[@]}"; do add "$f" "$t" "$c" "$b"; done',
    '    continue',
    '  fi',
    '  # An ip table sees only IPv4 packets, an ip6 table only IPv6 ones.',
    '  if [ "$f" != ip6 ]; then for b in "${V4[@]}"; do add "$f" "$t" "$c" "$b"; done; fi',
    '  if [ "$f" != ip ]; then for b in "${V6[@]}"; do add "$f" "$t" "$c" "$b"; done; fi',
    '  for b in "${ANY[@]}"; do add "$f" "$t" "$c" "$b"; done',
    'done <<<"$chains"',
    'if [ "${#added[@]}" -eq 0 ]; then',
    '  echo "pathcheck: no nftables output chain of this computer drops this traffic (or it belongs to another product); nothing was changed" >&2',
    '  exit 3',
    'fi',
    '',
  ].join('\n');
}

/** Bash that deletes every rule tagged `comment "<tag>"` wherever it is (what the discovery script added). */
export function nftDiscoverUndo(tag: string): string {
  return [
    '#!/bin/bash',
    `# Pathcheck: delete every nftables rule tagged comment "${tag}", in whichever chain it is`,
    'set -euo pipefail',
    RE_IDENT_LINE,
    PLAIN_CHAIN_LINE,
    `nft -j list ruleset | jq -r --arg tag ${tag} '${NFT_TAGGED_RULES_JQ}' | while read -r f t c h; do`,
    '  plain_chain "$f" "$t" "$c" && [[ "$h" =~ ^[0-9]+$ ]] || continue',
    '  nft delete rule "$f" "$t" "$c" handle "$h"',
    'done',
    ...iptablesNftUndoLines(tag, 'iptables-nft ip6tables-nft'),
    '',
  ].join('\n');
}

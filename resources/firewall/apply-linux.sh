#!/bin/bash
# Pathcheck: the fixed elevated step for Linux (nftables). Started as root by pkexec (polkit action
# dev.pathcheck.firewall.apply, resources/firewall/dev.pathcheck.firewall.policy) or directly when
# the app already runs as root - always after the app's own consent dialog listed these rules.
#
#   apply-linux.sh apply < plan.json   insert the plan's allow rules, tagged comment "pathcheck", into the
#                                      plan's chains (the chains that drop the failed traffic), then drop the
#                                      Pathcheck rules an earlier apply left in those same chains
#   apply-linux.sh undo < plan.json    delete exactly the rules listed in the plan's "remove" (handle + chain,
#                                      as an apply reported them), or else the "pathcheck" rules in the plan's chains
#   apply-linux.sh check < plan.json   validate only (exit 0 or 2); touches nothing
#
# The plan is read ONCE from stdin (at most 1 MiB) into memory: no file is re-read after consent.
# Nothing is interpolated into this file: it re-validates every field itself (jq structure checks,
# then the same grammar as electron/common/firewall/apply-plan.ts for addresses, CIDRs, ports and
# nft identifiers) and runs nft with argument arrays - never eval, never sh -c.
# With "discover": true (the app could not read the ruleset without root) it uses the base chains
# on the output hook of type filter that drop (policy drop or a drop/reject rule).
# Never writes into another product's table (VPN kill switches, container runtimes, firewalld).
# Output, one line per change:  added <handle> <family> <table> <chain>  |  removed <handle> <family> <table> <chain>
# Exit codes: 0 done, 2 usage/validation error (nothing changed), 3 nft failed (this run's new rules rolled
# back; earlier Pathcheck rules are only removed after every new rule is in).
# Requires: bash, jq, nft.
set -euo pipefail
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "pathcheck-apply: $*" >&2; exit 2; }

[ "$#" -eq 1 ] || die "usage: apply-linux.sh apply|undo|check < plan.json"
action=$1
case "$action" in apply|undo|check) ;; *) die "action must be apply, undo or check" ;; esac
command -v jq >/dev/null 2>&1 || die "jq is required (apt-get install jq)"

# Read the plan once, bounded. Every later read is of this in-memory copy.
PLAN=$(head -c 1048577)
[ "${#PLAN}" -le 1048576 ] || die "plan is larger than 1 MiB"
pj() { jq "$@" <<<"$PLAN"; }

TAG=pathcheck
RE_IDENT='^[A-Za-z][A-Za-z0-9_-]{0,62}$'
RE_DEC='^(0|[1-9][0-9]{0,2})$'
RE_PORT='^[1-9][0-9]{0,4}$'
# Tables of other products (same list as FOREIGN_TABLES in apply-plan.ts), matched lower-cased.
FOREIGN_RE='^(mullvad|tailscale|ts-|wg-quick|nordvpn|proton|expressvpn|firewalld|docker|podman|netavark|cni|libvirt|incus|lxd)'
MIN_PREFIX4=8
MIN_PREFIX6=16

foreign() { local t=${1,,}; [[ "$t" =~ $FOREIGN_RE ]]; }

# IPv4 dotted quad: four decimal parts without leading zeros, each <= 255 (isIPv4).
valid_v4() {
  local IFS=. p
  local -a parts
  [[ "$1" =~ ^[0-9.]+$ && "$1" != .* && "$1" != *. && "$1" != *..* ]] || return 1
  read -ra parts <<<"$1"
  [ "${#parts[@]}" -eq 4 ] || return 1
  for p in "${parts[@]}"; do
    [[ "$p" =~ $RE_DEC ]] && (( p <= 255 )) || return 1
  done
}

# Number of ':'-separated hex groups in $1 (no '::' left in it) into GROUPS; fails on a bad group.
count_groups() {
  GROUPS_N=0
  [ -z "$1" ] && return 0
  [[ "$1" == :* || "$1" == *: ]] && return 1
  local IFS=: g
  local -a gs
  read -ra gs <<<"$1"
  for g in "${gs[@]}"; do [[ "$g" =~ ^[0-9A-Fa-f]{1,4}$ ]] || return 1; done
  GROUPS_N=${#gs[@]}
}

# IPv6 text form with :: compression and an optional embedded IPv4, no zone (isIPv6, step by step).
valid_v6() {
  local v=$1 rest at head tail n
  [[ "$v" =~ ^[0-9A-Fa-f:.]+$ ]] && [ "${#v}" -le 45 ] || return 1
  if [[ "$v" == *.* ]]; then
    valid_v4 "${v##*:}" || return 1
    if [[ "$v" == *:* ]]; then v="${v%:*}:0:0"; else v="0:0"; fi
  fi
  rest=${v//::/@}
  at=${rest//[^@]/}
  [ "${#at}" -le 1 ] || return 1
  if [ "${#at}" -eq 1 ]; then head=${rest%%@*}; tail=${rest#*@}; else head=$rest; tail=; fi
  count_groups "$head" || return 1
  n=$GROUPS_N
  count_groups "$tail" || return 1
  n=$((n + GROUPS_N))
  if [ "${#at}" -eq 1 ]; then [ "$n" -lt 8 ]; else [ "$n" -eq 8 ]; fi
}

# An address or CIDR of the family, no wider than the minimum prefix (checkCidr).
valid_cidr() {
  local fam=$1 v=$2 addr len
  [[ "$v" == */*/* ]] && return 1
  if [[ "$v" == */* ]]; then
    addr=${v%/*}
    len=${v#*/}
    [[ "$len" =~ $RE_DEC ]] || return 1
  else
    addr=$v
    len=
  fi
  if [ "$fam" = 4 ]; then
    valid_v4 "$addr" || return 1
    [ -z "$len" ] || (( len <= 32 && len >= MIN_PREFIX4 ))
  else
    valid_v6 "$addr" || return 1
    [ -z "$len" ] || (( len <= 128 && len >= MIN_PREFIX6 ))
  fi
}

valid_chain() { [[ "$1" =~ ^(inet|ip|ip6)$ && "$2" =~ $RE_IDENT && "$3" =~ $RE_IDENT ]]; }

# 1. Structure and types, checked by jq before any value is read; every string is one plain token.
pj -e '
  def loc: type == "object" and (.family | type == "string") and (.table | type == "string") and (.chain | type == "string");
  (.version == 2) and (.tag == "pathcheck") and (.discover | type == "boolean")
  and ([.. | strings] | all(test("^[A-Za-z0-9:./_-]{1,64}$")))
  and (.chains | type == "array" and length <= 16 and all(.[]; loc))
  and ((.discover and (.chains | length) == 0) or ((.discover | not) and (.chains | length) >= 1))
  and (.rules | type == "array" and length <= 256)
  and all(.rules[];
    (.family == 0 or .family == 4 or .family == 6)
    and (.protocol == "udp" or .protocol == "tcp")
    and (.daddr | type == "array" and length <= 512)
    and (.ports | type == "array" and length >= 1 and length <= 64
         and all(.[]; type == "array" and length == 2 and all(.[]; type == "number" and . == floor and . >= 1 and . <= 65535))))
  and ((.remove == null) or (.remove | type == "array" and length <= 4096
       and all(.[]; loc and (.handle | type == "number" and . == floor and . >= 1 and . <= 4294967296))))
' >/dev/null 2>&1 || die "plan failed structural validation"

# 2. Every value again, one token per line, with bash checks.
discover=$(pj -r '.discover')
[[ "$discover" =~ ^(true|false)$ ]] || die "discover must be a boolean"
declare -a PLAN_CHAINS=()
while read -r f t c; do
  valid_chain "$f" "$t" "$c" || die "chains: not a plain nft chain"
  foreign "$t" && die "chains: $f $t $c belongs to another product; Pathcheck does not change its rules"
  PLAN_CHAINS+=("$f $t $c")
done < <(pj -r '.chains[] | "\(.family) \(.table) \(.chain)"')

# One jq pass over the in-memory plan: "rule <i> <family> <protocol>", "addr <i> <a>", "port <i> <lo> <hi>".
declare -a FAM=() PROTO=() ADDRS=() PORTS=()
while read -r kind i a b; do
  [[ "$i" =~ ^[0-9]{1,3}$ ]] || die "rules: bad index"
  case "$kind" in
    rule)
      [[ "$a" =~ ^(0|4|6)$ ]] || die "rules[$i].family invalid"
      [[ "$b" =~ ^(udp|tcp)$ ]] || die "rules[$i].protocol invalid"
      FAM[i]=$a
      PROTO[i]=$b
      ADDRS[i]=""
      PORTS[i]=""
      ;;
    addr)
      fam=${FAM[i]}
      valid_cidr "$fam" "$a" || die "rules[$i].daddr: not a valid IPv$fam address or CIDR of /$([ "$fam" = 4 ] && echo $MIN_PREFIX4 || echo $MIN_PREFIX6) or narrower"
      ADDRS[i]="${ADDRS[i]:+${ADDRS[i]}, }$a"
      ;;
    port)
      [[ "$a" =~ $RE_PORT && "$b" =~ $RE_PORT ]] || die "rules[$i].ports: not integer ports"
      (( a >= 1 && b <= 65535 && a <= b )) || die "rules[$i].ports: out of range"
      if [ "$a" = "$b" ]; then item=$a; else item="$a-$b"; fi
      PORTS[i]="${PORTS[i]:+${PORTS[i]}, }$item"
      ;;
    *) die "rules: unexpected record" ;;
  esac
done < <(pj -r '.rules | to_entries[] | .key as $i | .value
  | ("rule \($i) \(.family) \(.protocol)"), (.daddr[] | "addr \($i) \(.)"), (.ports[] | "port \($i) \(.[0]) \(.[1])")')
declare -a RULES=()
for i in "${!FAM[@]}"; do
  if [ "${FAM[i]}" = 0 ]; then
    [ -z "${ADDRS[i]}" ] || die "rules[$i]: family 0 takes no addresses"
  else
    [ -n "${ADDRS[i]}" ] || die "rules[$i]: no addresses"
  fi
  [ -n "${PORTS[i]}" ] || die "rules[$i]: no ports"
  # One record per rule: fields separated by '|' (none of the validated values can contain it).
  RULES+=("${FAM[i]}|${PROTO[i]}|${ADDRS[i]}|${PORTS[i]}")
done

declare -a REMOVE=()
while read -r f t c h; do
  [ -n "${f:-}" ] || continue
  valid_chain "$f" "$t" "$c" && [[ "$h" =~ ^[1-9][0-9]{0,9}$ ]] || die "remove: not a rule location"
  REMOVE+=("$f $t $c $h")
done < <(pj -r '(.remove // [])[] | "\(.family) \(.table) \(.chain) \(.handle)"')

[ "$action" = check ] && exit 0
command -v nft >/dev/null 2>&1 || die "nft is required (apt-get install nftables)"

# Where to write: the plan's chains (each must exist), or the dropping output filter base chains.
declare -a CHAINS=()
if [ "$discover" = true ]; then
  while read -r f t c; do
    valid_chain "$f" "$t" "$c" || continue
    if foreign "$t"; then echo "pathcheck-apply: $f $t $c drops outbound traffic but belongs to another product; left alone" >&2; continue; fi
    CHAINS+=("$f $t $c")
  done < <(nft -j list ruleset | jq -r '
    .nftables as $all
    | [$all[] | select(.rule) | .rule | select([.expr[]? | objects | has("drop") or has("reject")] | any) | "\(.family) \(.table) \(.chain)"] as $dropping
    | $all[] | select(.chain) | .chain | select(.hook == "output" and .type == "filter")
    | "\(.family) \(.table) \(.name)" as $k
    | select(.policy == "drop" or any($dropping[]; . == $k))
    | $k')
  [ "${#CHAINS[@]}" -gt 0 ] || die "no nftables output chain of this computer drops traffic, so the block is not in nftables"
else
  for where in "${PLAN_CHAINS[@]}"; do
    read -r f t c <<<"$where"
    nft list chain "$f" "$t" "$c" >/dev/null 2>&1 || die "the chain $f $t $c does not exist (any more); diagnose again"
    CHAINS+=("$where")
  done
fi

# The "pathcheck" rules in one chain: "<family> <table> <chain> <handle>" per line.
tagged_in() {
  nft -j list chain "$1" "$2" "$3" | jq -r --arg tag "$TAG" '.nftables[] | select(.rule) | .rule | select(.comment == $tag) | "\(.family) \(.table) \(.chain) \(.handle)"'
}

# Deletes the given "<family> <table> <chain> <handle>" lines that are still Pathcheck rules; failure → exit 3.
remove_lines() {
  local f t c h have
  while read -r f t c h; do
    [ -n "${f:-}" ] || continue
    valid_chain "$f" "$t" "$c" && [[ "$h" =~ ^[0-9]+$ ]] || { echo "pathcheck-apply: skipping an unexpected rule location" >&2; continue; }
    have=$(tagged_in "$f" "$t" "$c" 2>/dev/null) || have=""
    if ! grep -qxF -- "$f $t $c $h" <<<"$have"; then
      echo "pathcheck-apply: rule $h in $f $t $c is not a Pathcheck rule (or is gone); left alone" >&2
      continue
    fi
    nft delete rule "$f" "$t" "$c" handle "$h" || { echo "pathcheck-apply: could not delete rule $h in $f $t $c" >&2; exit 3; }
    echo "removed $h $f $t $c"
  done
}

# In iptables-nft's tables (ip/ip6 filter) an iptables-nft-save | restore (netfilter-persistent, a ufw reload)
# gives every rule a new handle and turns its tag into an iptables comment match nft cannot read: the
# Pathcheck rules still there are deleted with iptables-nft (highest line first).
undo_iptables_nft() {
  local where f t c cmd n
  for where in "${CHAINS[@]}" "${REMOVE[@]}"; do
    read -r f t c _ <<<"$where"
    [ "$f" != inet ] && [ "$t" = filter ] || continue
    if [ "$f" = ip ]; then cmd=iptables-nft; else cmd=ip6tables-nft; fi
    command -v "$cmd" >/dev/null 2>&1 || continue
    while read -r n; do
      [[ "$n" =~ ^[0-9]+$ ]] || continue
      "$cmd" -D "$c" "$n" || { echo "pathcheck-apply: $cmd could not delete rule $n of $c" >&2; exit 3; }
      echo "pathcheck-apply: removed rule $n of $f $t $c with $cmd (its tag read back by iptables-nft)" >&2
    done < <({ "$cmd" -L "$c" -n --line-numbers 2>/dev/null || true; } | awk -v tag="/* $TAG */" 'index($0, tag) { print $1 }' | sort -rn)
  done
}

if [ "$action" = undo ]; then
  if [ "${#REMOVE[@]}" -gt 0 ]; then
    printf '%s\n' "${REMOVE[@]}" | remove_lines
  else
    for where in "${CHAINS[@]}"; do
      read -r f t c <<<"$where"
      remove_lines < <(tagged_in "$f" "$t" "$c")
    done
  fi
  undo_iptables_nft
  exit 0
fi

# Replace, not duplicate: note the earlier Pathcheck rules in these chains, insert the new ones (rolling
# back only this run's rules if nft fails), and only then remove the earlier ones.
old_rules=""
for where in "${CHAINS[@]}"; do
  read -r f t c <<<"$where"
  old_rules+="$(tagged_in "$f" "$t" "$c")"$'\n'
done
declare -a ADDED=()
rollback() {
  local x
  for x in "${ADDED[@]}"; do
    read -r f t c h <<<"$x"
    nft delete rule "$f" "$t" "$c" handle "$h" 2>/dev/null || true
  done
  echo "pathcheck-apply: nft failed; rolled back this run's rules, earlier ones untouched" >&2
  exit 3
}
# Inserts one rule: <family> <table> <chain> <rule family 0|4|6> <proto> <address set> <port set>.
insert_one() {
  local args=(insert rule "$1" "$2" "$3") out h
  case "$4" in
    4) args+=(ip daddr "{ $6 }") ;;
    6) args+=(ip6 daddr "{ $6 }") ;;
  esac
  args+=("$5" dport "{ $7 }" accept comment "\"$TAG\"")
  out=$(nft --echo --handle "${args[@]}" 2>&1) || rollback
  h=$(printf '%s\n' "$out" | sed -n 's/.*# handle \([0-9][0-9]*\)$/\1/p' | tail -n 1)
  [[ "$h" =~ ^[0-9]+$ ]] || rollback
  ADDED+=("$1 $2 $3 $h")
  echo "added $h $1 $2 $3"
}
for where in "${CHAINS[@]}"; do
  read -r cf ct cc <<<"$where"
  for r in "${RULES[@]}"; do
    IFS='|' read -r fam proto addrset portset <<<"$r"
    # An ip table sees only IPv4 packets and an ip6 table only IPv6 ones.
    if [ "$cf" = ip ] && [ "$fam" = 6 ]; then continue; fi
    if [ "$cf" = ip6 ] && [ "$fam" = 4 ]; then continue; fi
    if [ "$cf" != inet ] && [ "$ct" = filter ]; then
      # iptables-nft's table: one address and one port range per rule, the only form iptables-nft reads
      # back (iptables-nft-save leaves a set out, so a save/restore would widen the rule).
      IFS=', ' read -ra one_addr <<<"${addrset:-none}"
      IFS=', ' read -ra one_port <<<"$portset"
      for a in "${one_addr[@]}"; do
        [ -n "$a" ] || continue
        for p in "${one_port[@]}"; do
          [ -n "$p" ] || continue
          insert_one "$cf" "$ct" "$cc" "$fam" "$proto" "$a" "$p"
        done
      done
      continue
    fi
    insert_one "$cf" "$ct" "$cc" "$fam" "$proto" "$addrset" "$portset"
  done
done
remove_lines <<<"$old_rules"

#!/bin/bash
# Pathcheck: the fixed elevated step for Linux (nftables).
#
#   apply-linux.sh <plan.json> apply   insert the plan's allow rules, tagged comment "pathcheck", into the
#                                      plan's chain and every nftables base chain that filters outbound
#                                      traffic (an accept only ends its own base chain), then drop the
#                                      Pathcheck rules of an earlier apply
#   apply-linux.sh <plan.json> undo    delete every rule tagged comment "pathcheck", wherever it is
#
# Nothing is interpolated into this file: it reads a JSON plan (written by electron/node/firewall/apply.ts),
# re-validates every field itself (jq structure checks, then strict bash regexes for addresses, CIDRs,
# integer ports and nft identifiers), and runs nft with argument arrays - never eval, never sh -c.
# Output, one line per change:  added <handle> <family> <table> <chain>  |  removed <handle> <family> <table> <chain>
# Exit codes: 0 done, 2 usage/validation error (nothing changed), 3 nft failed (this run's new rules rolled
# back; earlier Pathcheck rules are only removed after every new rule is in).
# Requires: bash, jq, nft.
set -euo pipefail
export LC_ALL=C
PATH=/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "pathcheck-apply: $*" >&2; exit 2; }

[ "$#" -eq 2 ] || die "usage: apply-linux.sh <plan.json> apply|undo"
plan=$1
action=$2
case "$action" in apply|undo) ;; *) die "action must be apply or undo" ;; esac
command -v jq >/dev/null 2>&1 || die "jq is required (apt-get install jq)"
command -v nft >/dev/null 2>&1 || die "nft is required (apt-get install nftables)"
[ -f "$plan" ] && [ ! -L "$plan" ] || die "plan must be a regular file"
mode=$(stat -c %A -- "$plan")
case "$mode" in ?????w????|????????w?) die "plan must not be group- or world-writable" ;; esac

TAG=pathcheck
RE_IDENT='^[A-Za-z][A-Za-z0-9_-]{0,63}$'
RE_OCTET='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
RE_V4="^${RE_OCTET}(\.${RE_OCTET}){3}(/(3[0-2]|[12]?[0-9]))?$"
RE_V6='^[0-9A-Fa-f:]{2,39}(/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))?$'
RE_PORT='^[1-9][0-9]{0,4}$'

# 1. Structure and types, checked by jq before any value is read.
jq -e '
  (.version == 1) and (.tag == "pathcheck") and (.chain | type == "object")
  and (.chain.family | type == "string") and (.chain.table | type == "string") and (.chain.chain | type == "string")
  and (.rules | type == "array" and length <= 256)
  and all(.rules[];
    (.family == 0 or .family == 4 or .family == 6)
    and (.protocol == "udp" or .protocol == "tcp")
    and (.daddr | type == "array" and length <= 512 and all(.[]; type == "string" and test("^[0-9A-Fa-f:./]{1,43}$")))
    and (.ports | type == "array" and length >= 1 and length <= 64
         and all(.[]; type == "array" and length == 2 and all(.[]; type == "number" and . == floor and . >= 1 and . <= 65535))))
' -- "$plan" >/dev/null 2>&1 || die "plan failed structural validation"

# 2. Every value again, with bash regexes.
family=$(jq -r '.chain.family' -- "$plan")
table=$(jq -r '.chain.table' -- "$plan")
chain=$(jq -r '.chain.chain' -- "$plan")
[[ "$family" =~ ^(inet|ip|ip6)$ ]] || die "chain.family must be inet, ip or ip6"
[[ "$table" =~ $RE_IDENT ]] || die "chain.table is not a plain identifier"
[[ "$chain" =~ $RE_IDENT ]] || die "chain.chain is not a plain identifier"

# Every rule tagged "pathcheck" in the whole ruleset: "<family> <table> <chain> <handle>" per line.
all_tagged() {
  nft -j list ruleset | jq -r --arg tag "$TAG" '.nftables[] | select(.rule) | .rule | select(.comment == $tag) | "\(.family) \(.table) \(.chain) \(.handle)"'
}

# Deletes the given "<family> <table> <chain> <handle>" lines; any failure stops with exit 3.
remove_lines() {
  local f t c h
  while read -r f t c h; do
    [ -n "${f:-}" ] || continue
    [[ "$f" =~ ^(inet|ip|ip6)$ && "$t" =~ $RE_IDENT && "$c" =~ $RE_IDENT && "$h" =~ ^[0-9]+$ ]] || { echo "pathcheck-apply: skipping an unexpected rule location" >&2; continue; }
    nft delete rule "$f" "$t" "$c" handle "$h" || { echo "pathcheck-apply: could not delete rule $h in $f $t $c" >&2; exit 3; }
    echo "removed $h $f $t $c"
  done
}

if [ "$action" = undo ]; then
  remove_lines < <(all_tagged)
  exit 0
fi

# Where outbound drops can live: the plan's chain (from detection; may be a regular chain a base
# chain jumps to) and every base chain on the output hook of type filter.
declare -a CHAINS=()
if nft list chain "$family" "$table" "$chain" >/dev/null 2>&1; then CHAINS+=("$family $table $chain"); fi
while read -r f t c; do
  [[ "$f" =~ ^(inet|ip|ip6)$ && "$t" =~ $RE_IDENT && "$c" =~ $RE_IDENT ]] || continue
  [ "$f $t $c" = "$family $table $chain" ] && continue
  CHAINS+=("$f $t $c")
done < <(nft -j list chains | jq -r '.nftables[] | select(.chain) | .chain | select(.hook == "output" and .type == "filter") | "\(.family) \(.table) \(.name)"')
[ "${#CHAINS[@]}" -gt 0 ] || die "no nftables chain filters outbound traffic here, so the block is not in nftables"

count=$(jq -r '.rules | length' -- "$plan")
[[ "$count" =~ ^[0-9]+$ ]] || die "bad rule count"
declare -a RULES=()
for ((i = 0; i < count; i++)); do
  fam=$(jq -r --argjson i "$i" '.rules[$i].family' -- "$plan")
  proto=$(jq -r --argjson i "$i" '.rules[$i].protocol' -- "$plan")
  [[ "$fam" =~ ^(0|4|6)$ ]] || die "rules[$i].family invalid"
  [[ "$proto" =~ ^(udp|tcp)$ ]] || die "rules[$i].protocol invalid"
  mapfile -t addrs < <(jq -r --argjson i "$i" '.rules[$i].daddr[]' -- "$plan")
  mapfile -t ports < <(jq -r --argjson i "$i" '.rules[$i].ports[] | "\(.[0]) \(.[1])"' -- "$plan")
  if [ "$fam" = 0 ]; then
    [ "${#addrs[@]}" -eq 0 ] || die "rules[$i]: family 0 takes no addresses"
  else
    [ "${#addrs[@]}" -ge 1 ] || die "rules[$i]: no addresses"
  fi
  for a in "${addrs[@]}"; do
    if [ "$fam" = 4 ]; then [[ "$a" =~ $RE_V4 ]] || die "rules[$i].daddr: invalid IPv4 address or CIDR"
    else [[ "$a" =~ $RE_V6 && "$a" == *:* ]] || die "rules[$i].daddr: invalid IPv6 address or CIDR"; fi
  done
  portset=""
  for p in "${ports[@]}"; do
    lo=${p% *}
    hi=${p#* }
    [[ "$lo" =~ $RE_PORT && "$hi" =~ $RE_PORT ]] || die "rules[$i].ports: not integer ports"
    (( lo >= 1 && hi <= 65535 && lo <= hi )) || die "rules[$i].ports: out of range"
    if [ "$lo" = "$hi" ]; then item=$lo; else item="$lo-$hi"; fi
    portset="${portset:+$portset, }$item"
  done
  addrset=""
  for a in "${addrs[@]}"; do addrset="${addrset:+$addrset, }$a"; done
  # One record per rule: fields separated by '|' (none of the validated values can contain it).
  RULES+=("$fam|$proto|$addrset|$portset")
done

# Replace, not duplicate: note the earlier Pathcheck rules, insert the new ones everywhere (rolling back
# only this run's rules if nft fails), and only then remove the earlier ones.
old_rules=$(all_tagged)
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
for where in "${CHAINS[@]}"; do
  read -r cf ct cc <<<"$where"
  for r in "${RULES[@]}"; do
    IFS='|' read -r fam proto addrset portset <<<"$r"
    # An ip table sees only IPv4 packets and an ip6 table only IPv6 ones.
    if [ "$cf" = ip ] && [ "$fam" = 6 ]; then continue; fi
    if [ "$cf" = ip6 ] && [ "$fam" = 4 ]; then continue; fi
    args=(insert rule "$cf" "$ct" "$cc")
    case "$fam" in
      4) args+=(ip daddr "{ $addrset }") ;;
      6) args+=(ip6 daddr "{ $addrset }") ;;
    esac
    args+=("$proto" dport "{ $portset }" accept comment "\"$TAG\"")
    out=$(nft --echo --handle "${args[@]}" 2>&1) || rollback
    h=$(printf '%s\n' "$out" | sed -n 's/.*# handle \([0-9][0-9]*\)$/\1/p' | tail -n 1)
    [[ "$h" =~ ^[0-9]+$ ]] || rollback
    ADDED+=("$cf $ct $cc $h")
    echo "added $h $cf $ct $cc"
  done
done
remove_lines <<<"$old_rules"

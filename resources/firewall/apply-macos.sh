#!/bin/sh
# Pathcheck: loads or flushes Pathcheck's outbound pass rules in the pf anchor com.apple/250.Pathcheck.
#
# Fixed script, shipped in <resources>/firewall. The app runs it through the administrator prompt:
#   osascript -e 'on run argv' -e 'do shell script "PATH=/usr/bin:/bin:/usr/sbin:/sbin /bin/sh " &
#     quoted form of item 1 of argv & … with administrator privileges' -e 'end run' \
#     <this script> apply|undo <plan file>
# so every argument arrives quoted and nothing the app knows becomes shell text.
#
# The plan is a small line-oriented file (see pfPlanText in electron/node/firewall/macos/plan.ts):
#   pathcheck-pf-plan 1
#   anchor com.apple/250.Pathcheck
#   rule <udp|tcp> <0|4|6> <from:to>[,<from:to>…] <any|cidr[,cidr…]>
#   end
# Every token is checked here again, with `case` patterns and arithmetic only (no eval, no sourcing),
# before a single pf rule is written. Then:
#   apply: checks that pf is enabled and the main ruleset evaluates anchor "com.apple/*" (the stock
#          /etc/pf.conf does), writes `pass out quick … keep state` rules to a private file and loads
#          them with `pfctl -a com.apple/250.Pathcheck -f <file>` (replacing that anchor's rules only).
#   undo:  `pfctl -a com.apple/250.Pathcheck -F all` (that anchor only).
# It never enables pf or edits /etc/pf.conf. Prints `loaded <n>` or `flushed <n>` (rules removed).
# Exit codes: 0 done, 2 plan refused / bad arguments, 3 pf cannot take the rules, 4 pfctl failed.
# pf.conf(5): https://man.openbsd.org/pf.conf   pfctl(8): https://man.openbsd.org/pfctl
set -u

ANCHOR='com.apple/250.Pathcheck'
MAX_PLAN_BYTES=65536
MAX_RULES=64
MAX_ITEMS=256
MAX_PORT_RANGES=64

refuse() { printf 'Pathcheck: %s\n' "$1" >&2; exit 2; }
bad() { refuse "invalid plan: $1: $2"; }

# is_uint VALUE MAX: decimal without leading zeros, at most MAX.
is_uint() {
  case $1 in '' | *[!0-9]* | 0?*) return 1 ;; esac
  [ "${#1}" -le 5 ] || return 1
  [ "$1" -le "$2" ]
}

is_v4() {
  addr=${1%/*}
  if [ "$addr" != "$1" ]; then is_uint "${1#*/}" 32 || return 1; fi
  case $addr in *[!0-9.]* | .* | *. | *..*) return 1 ;; esac
  old_ifs=$IFS; IFS=.
  # shellcheck disable=SC2086
  set -- $addr
  IFS=$old_ifs
  [ "$#" -eq 4 ] || return 1
  for o in "$@"; do is_uint "$o" 255 || return 1; done
  return 0
}

is_v6() {
  addr=${1%/*}
  if [ "$addr" != "$1" ]; then is_uint "${1#*/}" 128 || return 1; fi
  case $addr in '' | *[!0-9A-Fa-f:]* | *:::* | *::*::*) return 1 ;; esac
  [ "${#addr}" -le 39 ] || return 1
  case $addr in *::*) compressed=1 ;; *) compressed=0 ;; esac
  case $addr in :[!:]* | *[!:]:) return 1 ;; esac
  groups=0
  old_ifs=$IFS; IFS=:
  # shellcheck disable=SC2086
  set -- $addr
  IFS=$old_ifs
  for g in "$@"; do
    [ -z "$g" ] && continue
    [ "${#g}" -le 4 ] || return 1
    groups=$((groups + 1))
  done
  if [ "$compressed" -eq 1 ]; then [ "$groups" -le 7 ]; else [ "$groups" -eq 8 ]; fi
}

# pf_ports "3478:3478,10000:60000" -> "{ 3478 10000:60000 }"; fails on anything else.
pf_ports() {
  list=$1; out=''; n=0
  case $list in '' | ,* | *, | *,,*) return 1 ;; esac
  old_ifs=$IFS; IFS=,
  # shellcheck disable=SC2086
  set -- $list
  IFS=$old_ifs
  for range in "$@"; do
    case $range in *:*:* | :* | *:) return 1 ;; *:*) ;; *) return 1 ;; esac
    from=${range%%:*}; to=${range#*:}
    is_uint "$from" 65535 && [ "$from" -ge 1 ] || return 1
    is_uint "$to" 65535 && [ "$to" -ge 1 ] || return 1
    [ "$from" -le "$to" ] || return 1
    n=$((n + 1))
    if [ "$from" -eq "$to" ]; then out="$out $from"; else out="$out $from:$to"; fi
  done
  [ "$n" -le "$MAX_PORT_RANGES" ] || return 1
  PF_PORTS="{$out }"
}

# pf_addrs FAMILY "a,b" -> "{ a b }"; "any" only for family 0.
pf_addrs() {
  family=$1; list=$2; out=''; n=0
  if [ "$family" = 0 ]; then [ "$list" = any ] || return 1; PF_ADDRS=any; return 0; fi
  case $list in '' | ,* | *, | *,,*) return 1 ;; esac
  old_ifs=$IFS; IFS=,
  # shellcheck disable=SC2086
  set -- $list
  IFS=$old_ifs
  for a in "$@"; do
    if [ "$family" = 4 ]; then is_v4 "$a" || return 1; else is_v6 "$a" || return 1; fi
    n=$((n + 1))
    out="$out $a"
  done
  [ "$n" -le "$MAX_ITEMS" ] || return 1
  PF_ADDRS="{$out }"
}

[ "$#" -eq 2 ] || refuse 'usage: apply-macos.sh apply|undo <plan file>'
ACTION=$1
PLAN=$2
case $ACTION in apply | undo) ;; *) refuse 'action must be apply or undo' ;; esac

if [ "$ACTION" = undo ]; then
  had=$(pfctl -a "$ANCHOR" -s rules 2>/dev/null | grep -c '^pass out quick ')
  pfctl -a "$ANCHOR" -F all >/dev/null 2>&1 || { printf 'Pathcheck: pfctl could not flush %s\n' "$ANCHOR" >&2; exit 4; }
  echo "flushed ${had:-0}"
  exit 0
fi

[ -f "$PLAN" ] && [ ! -L "$PLAN" ] || refuse 'the plan file does not exist'
size=$(wc -c <"$PLAN" | tr -d ' ')
is_uint "$size" "$MAX_PLAN_BYTES" || bad plan "is larger than $MAX_PLAN_BYTES bytes"
# Printable ASCII and newlines only (no tabs, no control characters, no NUL).
if [ "$(LC_ALL=C tr -d '\n\040-\176' <"$PLAN" | wc -c | tr -d ' ')" != 0 ]; then bad plan 'contains a character other than printable ASCII'; fi

RULES_FILE=$(mktemp "${TMPDIR:-/tmp}/pathcheck-pf.XXXXXX") || exit 4
trap 'rm -f "$RULES_FILE"' EXIT
chmod 600 "$RULES_FILE"

line_no=0; rules=0; ended=0
while IFS= read -r line || [ -n "$line" ]; do
  line_no=$((line_no + 1))
  [ "$ended" -eq 0 ] || bad "line $line_no" 'comes after end'
  case $line in *'  '* | ' '* | *' ') bad "line $line_no" 'has extra spaces' ;; esac
  case $line_no in
    1) [ "$line" = 'pathcheck-pf-plan 1' ] || bad 'line 1' 'must be "pathcheck-pf-plan 1"'; continue ;;
    2) [ "$line" = "anchor $ANCHOR" ] || bad 'line 2 (anchor)' "must be \"anchor $ANCHOR\""; continue ;;
  esac
  if [ "$line" = end ]; then ended=1; continue; fi
  # shellcheck disable=SC2086
  set -f; set -- $line; set +f
  [ "$#" -eq 5 ] && [ "$1" = rule ] || bad "line $line_no" 'must be: rule <proto> <family> <ports> <addresses>'
  proto=$2; family=$3; ports=$4; addrs=$5
  rules=$((rules + 1))
  f="rules[$((rules - 1))]"
  [ "$rules" -le "$MAX_RULES" ] || bad plan "holds more than $MAX_RULES rules"
  case $proto in udp | tcp) ;; *) bad "$f.protocol" 'must be udp or tcp' ;; esac
  case $family in 0) af='' ;; 4) af='inet ' ;; 6) af='inet6 ' ;; *) bad "$f.family" 'must be 0, 4 or 6' ;; esac
  pf_ports "$ports" || bad "$f.ports" "must be from:to port ranges 1-65535 (at most $MAX_PORT_RANGES)"
  pf_addrs "$family" "$addrs" || bad "$f.daddr" "must be IPv$family addresses or CIDRs (at most $MAX_ITEMS), or any for family 0"
  printf 'pass out quick %sproto %s from any to %s port %s keep state\n' "$af" "$proto" "$PF_ADDRS" "$PF_PORTS" >>"$RULES_FILE"
done <"$PLAN"
[ "$ended" -eq 1 ] || bad plan 'does not end with "end" (cut short?)'
[ "$rules" -ge 1 ] || bad plan 'holds no rule'

# pf must be on and the main ruleset must evaluate the com.apple/* anchors, or the rules do nothing.
pfctl -s info 2>/dev/null | grep -q '^Status: Enabled' || { echo 'Pathcheck: pf is disabled, so it is not what blocks; nothing was loaded' >&2; exit 3; }
main_rules=$(pfctl -s rules 2>/dev/null) || { echo 'Pathcheck: pfctl could not list the main ruleset' >&2; exit 3; }
before_anchor=$(printf '%s\n' "$main_rules" | sed '/^anchor "com\.apple\/\*"/,$d')
if [ "$before_anchor" = "$main_rules" ]; then
  echo 'Pathcheck: the pf ruleset does not evaluate anchor "com.apple/*" (/etc/pf.conf was replaced); nothing was loaded' >&2
  exit 3
fi
quick_block=$(printf '%s\n' "$before_anchor" | grep -E '^block( | .* )quick( |$)' | grep -vE '^block( [a-z-]+)* in( |$)' | head -n 1)
if [ -n "$quick_block" ]; then
  printf 'Pathcheck: the pf rule "%s" is evaluated before the anchor and may win over it; nothing was loaded\n' "$quick_block" >&2
  exit 3
fi

if ! pfctl -a "$ANCHOR" -f "$RULES_FILE" >/dev/null 2>&1; then
  pfctl -a "$ANCHOR" -F all >/dev/null 2>&1
  echo "Pathcheck: pfctl refused the rules; the anchor $ANCHOR was flushed" >&2
  exit 4
fi
echo "loaded $rules"

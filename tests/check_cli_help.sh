#!/usr/bin/env bash
# check_cli_help.sh: every command and subcommand of the command table answers -h, --help and
# `zbprover help <command>` with its usage on stdout and exit 0 (nothing on stderr), and an
# unknown option with one line on stderr, nothing on stdout, exit 2. The commands are read from
# `zbprover --help` (main.c's table) and the subcommands from each command's --help, so a new
# command is checked without editing this script.
set -u
bin=${ZBP_BINARY:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# The lines under "commands:" of a usage text: their first words.
commands_of() { sed -n '/^commands:/,/^$/{/^  [a-z]/{s/^  \([a-z0-9-]*\).*/\1/;p}}' "$1"; }

# usage_ok "words" args...: exit 0, "usage: zbprover <words>" first on stdout, stderr empty.
usage_ok() {
  local words=$1
  shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  local want="^usage: zbprover ${words:+$words\b}"
  if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && head -1 "$tmp/out" | grep -q "$want"; then
    ok
  else
    bad "zbprover $*: exit $rc, stdout '$(head -1 "$tmp/out")', stderr '$(head -2 "$tmp/err")'"
  fi
}

# one_line_error args...: exit 2, one line on stderr starting "zbprover: ", stdout empty.
one_line_error() {
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "^zbprover: " "$tmp/err"; then
    ok
  else
    bad "zbprover $*: exit $rc (want 2), $lines stderr lines (want 1): $(head -3 "$tmp/err")"
  fi
}

"$bin" --help >"$tmp/top" 2>&1 && ok || bad "zbprover --help failed"
usage_ok "" --help
usage_ok "" -h
usage_ok "" help
commands_of "$tmp/top" >"$tmp/cmds"
n=$(wc -l <"$tmp/cmds")
[ "$n" -ge 10 ] && ok || bad "zbprover --help lists $n commands: $(cat "$tmp/top")"
for cmd in $(cat "$tmp/cmds"); do
  [ "$cmd" = help ] && continue
  usage_ok "$cmd" "$cmd" --help
  usage_ok "$cmd" "$cmd" -h
  usage_ok "$cmd" help "$cmd"
  "$bin" "$cmd" --help >"$tmp/sub" 2>/dev/null
  subs=$(commands_of "$tmp/sub")
  if [ -n "$subs" ]; then
    # A command of subcommands: each one the same way, and none or an unknown one is one line.
    one_line_error "$cmd"
    one_line_error "$cmd" no-such-subcommand
    for sub in $subs; do
      usage_ok "$cmd $sub" "$cmd" "$sub" --help
      usage_ok "$cmd $sub" "$cmd" "$sub" -h
      usage_ok "$cmd $sub" help "$cmd" "$sub"
      usage_ok "$cmd $sub" "$cmd" help "$sub"
      one_line_error "$cmd" "$sub" --no-such-option
    done
  else
    one_line_error "$cmd" --no-such-option
  fi
done
# The known commands are there (a table that lost one fails here).
for cmd in attest bench check-bundle export-vk info prove seal serve setup verify version; do
  grep -qx "$cmd" "$tmp/cmds" && ok || bad "zbprover --help does not list $cmd"
done
"$bin" bench --help | grep -q "^  msm " && ok || bad "bench --help does not list msm"
# Usage errors of the program itself, and a missing value.
one_line_error
one_line_error --no-such-option
one_line_error no-such-command
one_line_error help no-such-command
one_line_error --isa
one_line_error prove --threads
one_line_error prove a.zkey
one_line_error info a b
one_line_error attest verify report.bin
one_line_error bench ntt --log-size 99

echo "check_cli_help: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

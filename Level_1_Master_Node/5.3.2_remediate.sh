#!/usr/bin/env bash
# Title: 5.3.2 Ensure that all Namespaces have NetworkPolicies defined (remediate)
#
# CIS Kubernetes Benchmark 5.3.2 for the cis-k8s-hardening unified runner (cis_k8s_unified.py),
# through the kubectl-cis_netpol plugin: every namespace without a NetworkPolicy gets an allow-all
# placeholder that changes no traffic. Run as `bash 5.3.2_remediate.sh`: no arguments, never reads
# stdin, no colour. Environment variables and the status mapping: docs/runner.md.
#
# The runner reads remediate results as: exit 0 + "fixed" anywhere in the output -> FIXED,
# exit 0 otherwise -> PASS, any other exit -> FAIL. So, translating the plugin's exit codes:
#   policies applied            -> exit 0, output contains FIXED
#   nothing to do, or a dry run -> exit 0, and no line contains "fixed" in any case (names that
#                                  contain it are withheld, since "prefixed-app" would count)
#   any failure                 -> exit 2 with [FAIL_REASON] and [FIX_HINT]

# The shared part lives beside this script (one copy for both wrappers).
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/5.3.2_netpol_lib.sh"
if [ ! -r "$LIB" ]; then
  echo "[FAIL_REASON] $LIB is missing: the 5.3.2 scripts need it beside them"
  echo "[FIX_HINT] copy Level_1_Master_Node/5.3.2_netpol_lib.sh from kubectl-cis-netpol next to this script"
  exit 2
fi
# shellcheck source=Level_1_Master_Node/5.3.2_netpol_lib.sh
. "$LIB"

read_settings
find_plugin
scope_args
ARGS+=(--template "$TEMPLATE")
[ -n "$POLICY" ] && ARGS+=(--policy-name "$POLICY")
[ "$ACCEPT" = true ] && ARGS+=(--accept-disruption)
case "$DRY" in
  client) ARGS+=(--dry-run=client) ;;
  server) ARGS+=(--dry-run=server) ;;
esac
run_plugin remediate "${ARGS[@]}"

# The plugin's lines per namespace: "[+] ns    FIXED      Policy applied successfully".
APPLIED=()
PLANNED=()
HAD=()
SKIPPED=()
FAILURES=()
FIRST_FAILURE=""
POLICY_SHOWN=${POLICY:-cis-default-allow}
result_re='^\[[^]]*\] +([a-z0-9][-a-z0-9]*) +(FIXED|PLANNED|PASS|SKIPPED|FAILED|ERROR|UNKNOWN) +(.*)$'
placeholder_re='^Placeholder: ([^ ]+) \(template ([^ )]+)\)'
for line in ${P_OUT[@]+"${P_OUT[@]}"}; do
  if [[ $line =~ $result_re ]]; then
    case "${BASH_REMATCH[2]}" in
      FIXED) APPLIED+=("${BASH_REMATCH[1]}") ;;
      PLANNED) PLANNED+=("${BASH_REMATCH[1]}") ;;
      PASS) HAD+=("${BASH_REMATCH[1]}") ;;
      SKIPPED) SKIPPED+=("${BASH_REMATCH[1]}") ;;
      *)
        FAILURES+=("${BASH_REMATCH[1]}")
        [ -z "$FIRST_FAILURE" ] && FIRST_FAILURE="${BASH_REMATCH[1]}: ${BASH_REMATCH[3]}"
        ;;
    esac
  elif [[ $line =~ $placeholder_re ]]; then
    POLICY_SHOWN=${BASH_REMATCH[1]}
  fi
done

# The policy's name where a line must not contain "fixed".
policy_label() {
  if [[ ${POLICY_SHOWN,,} == *fixed* ]]; then REPLY="the NetworkPolicy named by POLICY_NAME"; else REPLY="NetworkPolicy $POLICY_SHOWN"; fi
}

plugin_output() { # all of it, or (VERBOSE unset) nothing
  local line
  for line in ${P_OUT[@]+"${P_OUT[@]}"}; do say "$line"; done
  for line in ${P_ERR[@]+"${P_ERR[@]}"}; do warn "$line"; done
}

skipped_line() {
  [ ${#SKIPPED[@]} -gt 0 ] && say "[*] ${#SKIPPED[@]} namespace(s) skipped (system namespaces, EXCLUDED_NAMESPACES, or being deleted)"
}

case "$RC" in
  0)
    # Nothing to do. No namespace name is printed: the runner would read "prefixed-app" as FIXED.
    CLEAN=true
    [ "$VERBOSITY" -gt 0 ] && plugin_output
    if [ ${#HAD[@]} -gt 0 ]; then
      say "[+] PASS: all ${#HAD[@]} checked namespaces already have a NetworkPolicy; nothing changed"
    else
      say "[+] PASS: no namespace in scope lacks a NetworkPolicy; nothing changed"
    fi
    skipped_line
    [ "$DRY" != none ] && say "[*] Dry run ($DRY): nothing would have been written anyway."
    say "[CMD] $CMD_LINE"
    finish 0
    ;;
  1)
    if [ "$DRY" != none ]; then
      # A dry run is not a remediation: report PASS (exit 0) with no "fixed" anywhere.
      CLEAN=true
      [ "$VERBOSITY" -gt 0 ] && plugin_output
      policy_label
      say "[*] DRY RUN ($DRY): nothing was changed."
      say "[+] ${#PLANNED[@]} namespace(s) would get $REPLY (template $TEMPLATE):"
      for ns in ${PLANNED[@]+"${PLANNED[@]}"}; do say "    - $ns"; done
      [ ${#HAD[@]} -gt 0 ] && say "[*] ${#HAD[@]} namespace(s) already have a NetworkPolicy."
      skipped_line
      say "[*] Set DRY_RUN=false to apply."
      say "[CMD] $CMD_LINE"
      finish 0
    fi
    plugin_output
    if [ ${#APPLIED[@]} -gt 0 ]; then
      shorten "${APPLIED[@]}"
      say "[+] FIXED: ${#APPLIED[@]} namespace(s) now have NetworkPolicy $POLICY_SHOWN (template $TEMPLATE): $REPLY"
    else
      say "[+] FIXED: NetworkPolicy $POLICY_SHOWN (template $TEMPLATE) applied; see the lines above"
    fi
    say "[CMD] $CMD_LINE"
    finish 0
    ;;
  *)
    plugin_output
    if [ "$TIMED_OUT" = false ] && [ ${#FAILURES[@]} -gt 0 ]; then
      shorten "${FAILURES[@]}"
      reason="remediation failed in ${#FAILURES[@]} namespace(s): $REPLY (first: $FIRST_FAILURE)"
      [ ${#APPLIED[@]} -gt 0 ] && reason="$reason; ${#APPLIED[@]} other namespace(s) did get $POLICY_SHOWN"
      say "[FAIL_REASON] $reason"
      if [[ $FIRST_FAILURE == *accept-disruption* ]]; then
        say "[FIX_HINT] POLICY_TYPE=$TEMPLATE would cut connections that work today: use POLICY_TYPE=allow-all (changes no traffic), or set ACCEPT_DISRUPTION=true to apply it anyway"
      else
        say "[FIX_HINT] fix the cause named in the reason, then run the remediation again: it only creates what is still missing (details: \`$CMD_LINE -v\`)"
      fi
    else
      could_not_run "remediation"
      say "[FAIL_REASON] $REPLY"
      say "[FIX_HINT] $HINT"
    fi
    say "[CMD] $CMD_LINE"
    finish 2
    ;;
esac

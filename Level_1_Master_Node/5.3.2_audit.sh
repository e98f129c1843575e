#!/usr/bin/env bash
# Title: 5.3.2 Ensure that all Namespaces have NetworkPolicies defined (audit)
#
# CIS Kubernetes Benchmark 5.3.2 for the cis-k8s-hardening unified runner (cis_k8s_unified.py),
# through the kubectl-cis_netpol plugin. Run as `bash 5.3.2_audit.sh`: no arguments, never reads
# stdin, no colour. Environment variables and the status mapping: docs/runner.md.
#
#   exit 0  compliant: the guide's "[+] PASS: All N checked namespaces ..." line
#   exit 1  not compliant: "[FAIL_REASON] N namespace(s) without a NetworkPolicy: a, b, c"
#   exit 2  the check could not run (no access, server down, bad setting): "[FAIL_REASON] ..."

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
run_plugin audit "${ARGS[@]}"

FAILED=()
ERRORS=()
PASS_LINE=""
mode=""
for line in ${P_OUT[@]+"${P_OUT[@]}"}; do
  case "$line" in
    "[-] FAIL: "*) mode=fail; say "$line" ;;
    "[!] ERROR: "*) mode=error; say "$line" ;;
    "[+] PASS: "*) mode=""; PASS_LINE=$line; say "$line" ;;
    "["*) mode=""; say "$line" ;;
    "    - "*)
      say "$line"
      if [ "$mode" = fail ]; then FAILED+=("${line#    - }"); elif [ "$mode" = error ]; then ERRORS+=("${line#    - }"); fi
      ;;
    *) mode=""; [ "$VERBOSITY" -gt 0 ] && say "$line" ;;
  esac
done
for line in ${P_ERR[@]+"${P_ERR[@]}"}; do warn "$line"; done
say "[CMD] $CMD_LINE"

case "$RC" in
  0)
    [ -n "$PASS_LINE" ] || say "[+] PASS: every checked namespace has at least one NetworkPolicy defined"
    finish 0
    ;;
  1)
    shorten ${FAILED[@]+"${FAILED[@]}"}
    say "[FAIL_REASON] ${#FAILED[@]} namespace(s) without a NetworkPolicy: $REPLY"
    say "[FIX_HINT] run Level_1_Master_Node/5.3.2_remediate.sh (or kubectl cis-netpol remediate) to give each an allow-all NetworkPolicy that changes no traffic, or exempt namespaces with EXCLUDED_NAMESPACES"
    finish 1
    ;;
  *)
    if [ "$TIMED_OUT" = false ] && [ ${#ERRORS[@]} -gt 0 ]; then
      shorten ${ERRORS[@]+"${ERRORS[@]}"}
      reason="the check could not run for ${#ERRORS[@]} namespace(s): $REPLY"
      if [ ${#FAILED[@]} -gt 0 ]; then
        shorten "${FAILED[@]}"
        reason="$reason; and ${#FAILED[@]} namespace(s) have no NetworkPolicy: $REPLY"
      fi
      say "[FAIL_REASON] $reason"
      say "[FIX_HINT] check that these namespaces exist and that the runner's kubeconfig may list NetworkPolicies in them (kubectl auth can-i list networkpolicies -n NAMESPACE)"
    else
      could_not_run "the check"
      say "[FAIL_REASON] $REPLY"
      say "[FIX_HINT] $HINT"
    fi
    finish 2
    ;;
esac

#!/usr/bin/env bash
# Title: 5.3.1 Ensure that the CNI in use supports NetworkPolicies (audit)
#
# CIS Kubernetes Benchmark 5.3.1 for the cis-k8s-hardening unified runner (cis_k8s_unified.py),
# through `kubectl-cis_netpol cni`, which judges from the API alone what enforces NetworkPolicies.
# Run as `bash 5.3.1_audit.sh`: no arguments, never reads stdin, no colour. There is no 5.3.1
# remediation: switching a CNI's policy support on is a platform change. docs/runner.md.
#
#   exit 0  ENFORCED: "[+] CIS 5.3.1 ENFORCED by <CNI>: <reason>"
#   exit 1  NOT ENFORCED: "[FAIL_REASON] NOT ENFORCED: <CNI>: <why>" and a [FIX_HINT]
#   exit 3  UNKNOWN, the runner's MANUAL: "[FAIL_REASON] cannot decide from the API: <what was seen>"
#   exit 2  the check could not run (no plugin, server down, bad setting): "[FAIL_REASON] ..."

# The shared part of the 5.3.2 scripts lives beside this script.
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/5.3.2_netpol_lib.sh"
if [ ! -r "$LIB" ]; then
  echo "[FAIL_REASON] $LIB is missing: the 5.3.1 script needs it beside it"
  echo "[FIX_HINT] copy Level_1_Master_Node/5.3.2_netpol_lib.sh from kubectl-cis-netpol next to this script"
  exit 2
fi
# shellcheck source=Level_1_Master_Node/5.3.2_netpol_lib.sh
. "$LIB"

read_settings
find_plugin
ARGS=(--no-color --request-timeout "$REQUEST_TIMEOUT")
for ((i = 0; i < VERBOSITY; i++)); do ARGS+=(-v); done
run_plugin cni "${ARGS[@]}"

SUMMARY=""
NEXT=""
for line in ${P_OUT[@]+"${P_OUT[@]}"}; do
  case "$line" in
    "[+] CIS 5.3.1 "* | "[-] CIS 5.3.1 "* | "[?] CIS 5.3.1 "*) SUMMARY=${line#\[?\] CIS 5.3.1 } ;;
    "[*] next: "*) NEXT=${line#\[\*\] next: } ;;
  esac
  say "$line"
done
for line in ${P_ERR[@]+"${P_ERR[@]}"}; do warn "$line"; done
say "[CMD] $CMD_LINE"

case "$RC" in
  0) finish 0 ;;
  1)
    say "[FAIL_REASON] $SUMMARY"
    say "[FIX_HINT] $NEXT"
    finish 1
    ;;
  *)
    if [ "$TIMED_OUT" = false ] && [[ $SUMMARY == "UNKNOWN: "* ]]; then
      # The API shows too little to decide: the runner's MANUAL (exit 3), with what was seen.
      say "[FAIL_REASON] cannot decide from the API: ${SUMMARY#UNKNOWN: }"
      say "[FIX_HINT] $NEXT"
      finish 3
    fi
    could_not_run "the check"
    say "[FAIL_REASON] $REPLY"
    say "[FIX_HINT] $HINT"
    finish 2
    ;;
esac

#!/usr/bin/env bash
# Shared by 5.3.2_audit.sh and 5.3.2_remediate.sh (sourced, not run): settings from the runner's
# environment, finding the plugin, running it within the runner's time limit, and printing only
# what the runner must read. Its name ends in neither _audit.sh nor _remediate.sh, so the runner
# does not take it for a check. Keep it beside the two scripts.
# shellcheck shell=bash disable=SC2034 # its globals (P_OUT, HINT, …) are read by the sourcing scripts
set -o pipefail
LC_ALL=C
export NO_COLOR=1

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT=()        # stdout lines, printed by finish
ERR=()        # stderr lines, printed by finish
CLEAN=false   # true: no printed line may contain "fixed" (the runner would report FIXED)
WORK=""      # the plugin's captured output; removed on exit
trap '[ -z "$WORK" ] || rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { OUT+=("$*"); }
warn() { ERR+=("$*"); }

# Print what was collected and exit. Phrases the runner reads as "manual" are defused; in CLEAN
# mode any line containing "fixed" in any case is withheld (namespace names can contain it).
finish() {
  local code=$1 line withheld=0 kept=() errs=()
  shopt -s nocasematch
  for line in ${OUT[@]+"${OUT[@]}"}; do
    if ! filter_line "$line"; then
      [[ $line == "[CMD] "* ]] || withheld=$((withheld + 1)) # the command is only a courtesy
      continue
    fi
    kept+=("$REPLY")
  done
  for line in ${ERR[@]+"${ERR[@]}"}; do
    if ! filter_line "$line"; then withheld=$((withheld + 1)); continue; fi
    errs+=("$REPLY")
  done
  shopt -u nocasematch
  if [ "$withheld" -gt 0 ]; then
    kept+=("[*] $withheld line(s) withheld: they contain a word the runner would read as a status (in a namespace name, say). Run the same kubectl-cis_netpol command by hand to see them.")
  fi
  [ ${#kept[@]} -gt 0 ] && printf '%s\n' "${kept[@]}"
  [ ${#errs[@]} -gt 0 ] && printf '%s\n' "${errs[@]}" >&2
  exit "$code"
}

filter_line() { # line -> REPLY, or status 1 to withhold it (nocasematch is on)
  REPLY=$1
  if [[ $REPLY == *manual* ]]; then
    local m='[Mm][Aa][Nn][Uu][Aa][Ll]'
    REPLY=${REPLY//[Rr][Ee][Qq][Uu][Ii][Rr][Ee][Ss] $m/requires-manual}
    REPLY=${REPLY//$m [Ii][Nn][Tt][Ee][Rr][Vv][Ee][Nn][Tt][Ii][Oo][Nn]/manual-intervention}
    REPLY=${REPLY//$m [Rr][Ee][Mm][Ee][Dd][Ii][Aa][Tt][Ii][Oo][Nn]/manual-remediation}
    [[ $REPLY =~ requires[[:space:]]manual|manual[[:space:]](intervention|remediation) ]] && return 1
  fi
  [ "$CLEAN" = true ] && [[ $REPLY == *fixed* ]] && return 1
  return 0
}

# A setting the wrapper cannot use: say which variable, and stop before touching the cluster.
bad_env() { # NAME problem hint
  say "[FAIL_REASON] $1 is invalid: $2"
  say "[FIX_HINT] $3"
  finish 2
}

trim() { # value -> REPLY without surrounding whitespace
  REPLY=$1
  REPLY=${REPLY#"${REPLY%%[![:space:]]*}"}
  REPLY=${REPLY%"${REPLY##*[![:space:]]}"}
}

env_bool() { # NAME default -> REPLY true|false
  local name=$1 raw
  raw=${!1}
  trim "$raw"
  case "${REPLY,,}" in
    "") REPLY=$2 ;;
    true | 1 | yes | y | on) REPLY=true ;;
    false | 0 | no | n | off) REPLY=false ;;
    *) bad_env "$name" "\"$raw\" is not a boolean" "set $name=true or $name=false (default: $2)" ;;
  esac
}

# A list as the runner passes it (JSON text: ["a", "b-*"]) or comma-separated (a,b-*) -> ITEMS.
env_list() { # NAME
  local name=$1 raw rest piece json=false
  raw=${!1}
  ITEMS=()
  trim "$raw"
  rest=$REPLY
  case "$rest" in "" | null | None | "[]") return 0 ;; esac
  if [[ $rest == "["* || $rest == *"]" ]]; then
    json=true
    [[ $rest == "["*"]" ]] || bad_env "$name" "\"$raw\" is not valid JSON: a list must start with [ and end with ]" \
      "write a JSON list of strings, e.g. $name='[\"sandbox\", \"team-*\"]', or a comma-separated list"
    rest=${rest:1:${#rest}-2}
    trim "$rest"
    [ -z "$REPLY" ] && return 0
  fi
  while :; do
    piece=${rest%%,*}
    trim "$piece"
    piece=$REPLY
    if [ "$json" = true ]; then
      if [[ ! $piece =~ ^\"[^\"]*\"$ ]]; then
        bad_env "$name" "\"$raw\" is not a valid JSON list of strings (at: ${piece:-<empty item>})" \
          "write a JSON list of strings, e.g. $name='[\"sandbox\", \"team-*\"]', or a comma-separated list"
      fi
      piece=${piece:1:${#piece}-2}
      [[ $piece == *\\* ]] && bad_env "$name" "\"$raw\": escape sequences are not supported (names and globs never need them)" \
        "write plain names and globs, e.g. $name='[\"sandbox\", \"team-*\"]'"
      ITEMS+=("$piece")
    elif [ -n "$piece" ]; then
      ITEMS+=("$piece")
    fi
    [[ $rest == *,* ]] || break
    rest=${rest#*,}
  done
}

# shellcheck disable=SC2034 # DRY, TEMPLATE, POLICY and ACCEPT are read by the remediate script only
read_settings() {
  local item raw

  # KUBECONFIG: what the runner would choose when it is unset (it tests one path, in this order).
  if [ -z "$KUBECONFIG" ]; then
    for item in /etc/kubernetes/admin.conf "$HOME/.kube/config" ${SUDO_USER:+"/home/$SUDO_USER/.kube/config"}; do
      if [ -f "$item" ]; then export KUBECONFIG="$item"; break; fi
    done
  fi

  env_bool SKIP_SYSTEM_NS true; SKIP_SYSTEM=$REPLY
  env_bool ACCEPT_DISRUPTION false; ACCEPT=$REPLY

  trim "$DRY_RUN"
  case "${REPLY,,}" in
    "" | false | 0 | no | n | off | none) DRY=none ;;
    true | 1 | yes | y | on | client) DRY=client ;;
    server) DRY=server ;;
    *) bad_env DRY_RUN "\"$DRY_RUN\" is not true, false, client or server" "set DRY_RUN=true (change nothing) or DRY_RUN=false" ;;
  esac

  trim "$VERBOSE"
  case "${REPLY,,}" in
    "" | false | 0 | no | n | off) VERBOSITY=0 ;;
    true | yes | y | on) VERBOSITY=1 ;;
    [1-9]) VERBOSITY=$REPLY ;;
    *) bad_env VERBOSE "\"$VERBOSE\" is not true, false or a level from 0 to 9" "set VERBOSE=true or VERBOSE=false" ;;
  esac

  trim "$POLICY_TYPE"
  case "$REPLY" in
    "" | allow-all) TEMPLATE=allow-all ;;
    cluster-internal) TEMPLATE=cluster-internal ;;
    *) bad_env POLICY_TYPE "\"$POLICY_TYPE\" is not a policy template of kubectl-cis_netpol" \
      "set POLICY_TYPE=allow-all (changes no traffic; the default) or POLICY_TYPE=cluster-internal (the original guide's policy; cuts traffic to and from outside the pod network)" ;;
  esac

  trim "$POLICY_NAME"
  POLICY=$REPLY
  if [ -n "$POLICY" ] && { [ ${#POLICY} -gt 63 ] || [[ ! $POLICY =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ ]]; }; then
    bad_env POLICY_NAME "\"$POLICY_NAME\" is not a valid NetworkPolicy name" \
      "use at most 63 lowercase letters, digits, \"-\" and \".\", e.g. POLICY_NAME=cis-default-allow (the default)"
  fi

  env_list EXCLUDED_NAMESPACES
  EXCLUDES=(${ITEMS[@]+"${ITEMS[@]}"})
  for item in ${EXCLUDES[@]+"${EXCLUDES[@]}"}; do
    [[ $item =~ ^[a-z0-9*?-]+$ ]] || bad_env EXCLUDED_NAMESPACES "\"$item\" is not a namespace name or glob" \
      "use lowercase letters, digits, \"-\", \"*\" and \"?\", e.g. EXCLUDED_NAMESPACES='[\"sandbox\", \"team-*\"]'"
  done

  env_list CIS_NETPOL_NAMESPACES
  ONLY=(${ITEMS[@]+"${ITEMS[@]}"})
  for item in ${ONLY[@]+"${ONLY[@]}"}; do
    if [ ${#item} -gt 63 ] || [[ ! $item =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]]; then
      bad_env CIS_NETPOL_NAMESPACES "\"$item\" is not a namespace name" "list namespace names (no globs), e.g. CIS_NETPOL_NAMESPACES=prod,staging, or leave it unset for all namespaces"
    fi
  done

  # Exemptions with owner and expiry (kubectl-cis_netpol --exceptions); namespace annotations
  # cis-netpol.io/exempt-* count whether or not it is set.
  trim "${EXCEPTIONS_FILE:-}"
  EXCEPTIONS=$REPLY
  if [ -n "$EXCEPTIONS" ] && { [ ! -f "$EXCEPTIONS" ] || [ ! -r "$EXCEPTIONS" ]; }; then
    bad_env EXCEPTIONS_FILE "\"$EXCEPTIONS_FILE\" is not a readable file" \
      "set EXCEPTIONS_FILE to the absolute path of a NetworkPolicyExceptions YAML file (the runner's working directory is not this folder), or unset it"
  fi

  trim "${CIS_NETPOL_REQUEST_TIMEOUT:-10s}"
  REQUEST_TIMEOUT=$REPLY
  [[ $REQUEST_TIMEOUT =~ ^[0-9]+(\.[0-9]+)?(ms|s|m|h)?$ ]] || bad_env CIS_NETPOL_REQUEST_TIMEOUT \
    "\"$CIS_NETPOL_REQUEST_TIMEOUT\" is not a duration" "use e.g. CIS_NETPOL_REQUEST_TIMEOUT=10s (the default)"

  trim "${CIS_NETPOL_TIMEOUT:-50}"
  DEADLINE=$REPLY
  if [[ ! $DEADLINE =~ ^[0-9]{1,4}$ ]] || [ "$((10#$DEADLINE))" -lt 1 ]; then
    bad_env CIS_NETPOL_TIMEOUT "\"$CIS_NETPOL_TIMEOUT\" is not a whole number of seconds from 1 to 9999" \
      "use e.g. CIS_NETPOL_TIMEOUT=50 (the default; the runner stops scripts after 60 s)"
  fi
  DEADLINE=$((10#$DEADLINE))
}

# The plugin: $KUBECTL_CIS_NETPOL, else kubectl-cis_netpol on PATH, else krew's bin directory,
# else this repository's build (dist/ beside this folder).
find_plugin() {
  local c
  PLUGIN=""
  if [ -n "$KUBECTL_CIS_NETPOL" ]; then
    if [[ $KUBECTL_CIS_NETPOL == */* ]]; then c=$KUBECTL_CIS_NETPOL; else c=$(command -v -- "$KUBECTL_CIS_NETPOL"); fi
    if [ -n "$c" ] && [ -f "$c" ] && [ -x "$c" ]; then PLUGIN=$c; return 0; fi
    say "[FAIL_REASON] the check could not run: KUBECTL_CIS_NETPOL is set to \"$KUBECTL_CIS_NETPOL\", which is not an executable file"
    say "[FIX_HINT] point KUBECTL_CIS_NETPOL at the kubectl-cis_netpol executable, or unset it to use the one on PATH"
    finish 2
  fi
  for c in "$(command -v kubectl-cis_netpol)" "${KREW_ROOT:-$HOME/.krew}/bin/kubectl-cis_netpol" \
    ${SUDO_USER:+"/home/$SUDO_USER/.krew/bin/kubectl-cis_netpol"} "$SCRIPT_DIR/../dist/kubectl-cis_netpol"; do
    if [ -n "$c" ] && [ -f "$c" ] && [ -x "$c" ]; then PLUGIN=$c; return 0; fi
  done
  say "[FAIL_REASON] the check could not run: the kubectl-cis_netpol plugin was not found (not in KUBECTL_CIS_NETPOL, on PATH, in ${KREW_ROOT:-$HOME/.krew}/bin or in $SCRIPT_DIR/../dist)"
  say "[FIX_HINT] install it with \`kubectl krew install cis-netpol\` (or build it: npm run build in the kubectl-cis-netpol repository writes dist/kubectl-cis_netpol), or set KUBECTL_CIS_NETPOL to its path"
  finish 2
}

# Flags shared by audit and remediate.
scope_args() {
  local item
  ARGS=(--no-color --request-timeout "$REQUEST_TIMEOUT")
  if [ ${#ONLY[@]} -gt 0 ]; then ARGS+=(-n "$(IFS=,; printf '%s' "${ONLY[*]}")"); fi
  for item in ${EXCLUDES[@]+"${EXCLUDES[@]}"}; do ARGS+=(--exclude "$item"); done
  if [ -n "$EXCEPTIONS" ]; then ARGS+=(--exceptions "$EXCEPTIONS"); fi
  [ "$SKIP_SYSTEM" = false ] && ARGS+=(--include-system)
  for ((item = 0; item < VERBOSITY; item++)); do ARGS+=(-v); done
}

# Run the plugin with stdin from /dev/null and a deadline inside the runner's 60 s.
# Sets RC, P_OUT (stdout lines), P_ERR (stderr lines), TIMED_OUT, CMD_LINE.
run_plugin() {
  local start=$SECONDS
  CMD_LINE="kubectl-cis_netpol$(printf ' %q' "$@")"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/cis-5.3.2.XXXXXX") || {
    say "[FAIL_REASON] the check could not run: cannot create a temporary directory in ${TMPDIR:-/tmp}"
    say "[FIX_HINT] make ${TMPDIR:-/tmp} writable, or set TMPDIR to a writable directory"
    finish 2
  }
  if command -v timeout >/dev/null 2>&1; then
    timeout -k 5 "$DEADLINE" "$PLUGIN" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  else
    "$PLUGIN" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  fi
  RC=$?
  TIMED_OUT=false
  if { [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; } && [ $((SECONDS - start)) -ge "$DEADLINE" ]; then TIMED_OUT=true; fi
  mapfile -t P_OUT <"$WORK/out"
  mapfile -t P_ERR <"$WORK/err"
  ERROR_WHAT=""
  ERROR_HINT=""
  local line
  for line in ${P_ERR[@]+"${P_ERR[@]}"}; do
    if [[ $line == "error: "* ]]; then
      ERROR_WHAT=${line#error: }
      if [[ $ERROR_WHAT == *" (next: "*")" ]]; then
        ERROR_HINT=${ERROR_WHAT##* (next: }
        ERROR_HINT=${ERROR_HINT%)}
        ERROR_WHAT=${ERROR_WHAT% (next: *}
      fi
      break
    fi
  done
}

# "a, b, c, ... and K more": the first 10 of the arguments.
shorten() {
  local max=10 n=$#
  if [ "$n" -le "$max" ]; then REPLY=$(IFS=,; printf '%s' "$*"); REPLY=${REPLY//,/, }; return; fi
  REPLY=$(IFS=,; printf '%s' "${*:1:$max}")
  REPLY="${REPLY//,/, }, ... and $((n - max)) more"
}

# Why the plugin could not do its job, for [FAIL_REASON]; sets REPLY and HINT.
could_not_run() { # what-for (e.g. "the check")
  if [ "$TIMED_OUT" = true ]; then
    REPLY="$1 could not run: kubectl-cis_netpol did not finish within $DEADLINE s (CIS_NETPOL_TIMEOUT), the runner's limit is 60 s"
    HINT="check that the API server answers quickly (kubectl get --raw /readyz); lower CIS_NETPOL_REQUEST_TIMEOUT so one slow request cannot use up the time"
  elif [ -n "$ERROR_WHAT" ]; then
    REPLY="$1 could not run: $ERROR_WHAT"
    HINT=${ERROR_HINT:-run kubectl-cis_netpol with -v for details}
  else
    local first=""
    [ ${#P_ERR[@]} -gt 0 ] && first=${P_ERR[0]}
    REPLY="$1 could not run: kubectl-cis_netpol exited with code $RC${first:+: $first}"
    HINT="run \`$CMD_LINE -v\` by hand to see what failed"
  fi
}

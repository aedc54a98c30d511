#!/bin/sh
# An example command provider for Stampfleet: "creates" a stamp by starting a real
# stamp-agent on this machine, detached, with its own data directory and admin token.
# A wrapper around OpenTofu or Terraform keeps the same contract:
#
#   stdin:  one JSON object, the action and the stamp's parameters:
#           {"action": "provision", "stampId": "...", "region": "...",
#            "templateName": "...", "templateVersion": "1.4.0", "capacityUnits": 1000}
#   action "provision": create the stamp.
#           stdout: one JSON object: {"endpoint": "http://HOST:PORT", "adminToken": "..."}
#           (the endpoint must answer the Stamp API as that stamp with that token)
#   action "upgrade": a rollout (or its rollback) brings the stamp's infrastructure to
#           "templateVersion"; the request also carries "previousVersion" and "endpoint".
#           Stampfleet then upgrades the stamp's software through the Stamp API
#           (POST /v1/upgrade). Must be safe to run twice (a resumed rollout asks again).
#           stdout: anything (kept in the app's log); success is the exit status.
#   exit:   non-zero with the reason on stderr when it cannot (its last line is the
#           reason the window shows); Stampfleet kills the command's whole process
#           group at its timeout, so anything meant to outlive it (the agent here)
#           starts in a session of its own.
#
# Register it:  stampctl provider add example --command /path/to/local-stamp.sh
# Then:         stampctl stamp provision ID --region R --template T --version V --provider example
#               (or pick "example" in the window's New stamp dialog); rollouts over its
#               stamps call it with "upgrade" before each stamp's upgrade.
# Its stamps live under $STAMPFLEET_EXAMPLE_STAMPS (default ~/.local/share/stampfleet/
# example-stamps); stop them with: pkill -f "$STAMPFLEET_EXAMPLE_STAMPS".
set -eu
input=$(cat)
field() {
    printf '%s' "$input" | tr -d '\n' |
        sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^\",}]*\)\"\{0,1\}.*/\1/p"
}
action=$(field action)
id=$(field stampId)
region=$(field region)
version=$(field templateVersion)
capacity=$(field capacityUnits)
for v in "action:$action" "stampId:$id" "region:$region" "templateVersion:$version" "capacityUnits:$capacity"; do
    [ -n "${v#*:}" ] || { echo "the parameters have no ${v%%:*}" >&2; exit 1; }
done
case "$id" in *[!a-z0-9-]*) echo "stampId $id is not a stamp id" >&2; exit 1 ;; esac

base=${STAMPFLEET_EXAMPLE_STAMPS:-${XDG_DATA_HOME:-$HOME/.local/share}/stampfleet/example-stamps}
dir="$base/$id"
case "$action" in
    provision) ;;
    upgrade)
        # A local agent needs no new infrastructure: the agent upgrades itself when
        # Stampfleet asks through the Stamp API. A Terraform wrapper would apply the
        # template version's configuration here. Recorded so it can be checked.
        [ -d "$dir" ] || { echo "no stamp $id was made here ($dir)" >&2; exit 1; }
        printf '%s -> %s\n' "$(field previousVersion)" "$version" >> "$dir/upgrades.log"
        echo "stamp $id: infrastructure at $version"
        exit 0
        ;;
    *) echo "unknown action $action (this wrapper knows provision and upgrade)" >&2; exit 1 ;;
esac
umask 077
mkdir -p "$dir"
token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$token" > "$dir/admin.token"
agent=${STAMPFLEET_AGENT:-$(command -v stamp-agent || true)}
[ -n "$agent" ] && [ -x "$agent" ] || { echo "stamp-agent not found: put it on PATH or set STAMPFLEET_AGENT" >&2; exit 1; }

out="$dir/listening"
rm -f "$out"
setsid "$agent" --stamp-id "$id" --region "$region" --template-version "$version" \
    --capacity "$capacity" --data-dir "$dir/data" --token-file "$dir/admin.token" \
    > "$out" 2>> "$dir/agent.log" < /dev/null &
# The agent prints "listening on http://ADDR" once it accepts: wait up to 10 s for it.
line=
i=0
while [ "$i" -lt 100 ]; do
    line=$(head -n 1 "$out" 2> /dev/null || true)
    case "$line" in "listening on "*) break ;; esac
    i=$((i + 1))
    sleep 0.1
done
case "$line" in
    "listening on "*) endpoint=${line#listening on } ;;
    *) echo "the agent did not start: $(tail -n 1 "$dir/agent.log" 2> /dev/null)" >&2; exit 1 ;;
esac
printf '{"endpoint": "%s", "adminToken": "%s"}\n' "$endpoint" "$token"

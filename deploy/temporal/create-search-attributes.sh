#!/bin/sh
# One-shot, second half of service `temporal-init` in docker-compose.yml (image
# temporalio/admin-tools; create-namespace.sh runs first): registers Herald's custom search
# attributes, all Keyword, in Herald's namespace: HeraldAgentId, HeraldClientId, HeraldChannel,
# HeraldSendState (src/sends/contract.ts). Idempotent: only missing attributes are created, so it
# is safe on every `up`. Herald starts only after it succeeds.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
ATTRIBUTES="HeraldAgentId HeraldClientId HeraldChannel HeraldSendState"

tries=0
until temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 180 ]; then
    echo "Temporal at $ADDRESS (namespace $NAMESPACE) did not answer within 6 minutes" >&2
    exit 1
  fi
  echo "waiting for Temporal at $ADDRESS, namespace $NAMESPACE..."
  sleep 2
done

created=no
tries=0
while :; do
  existing="$(temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" 2>/dev/null || true)"
  args=""
  missing=""
  for name in $ATTRIBUTES; do
    if ! printf '%s\n' "$existing" | grep -qw "$name"; then
      missing="$missing $name"
      args="$args --name $name --type Keyword"
    fi
  done
  [ -z "$missing" ] && break

  tries=$((tries + 1))
  if [ "$tries" -gt 30 ]; then
    echo "could not create search attributes:$missing" >&2
    exit 1
  fi
  echo "creating search attributes:$missing (Keyword) in $NAMESPACE"
  # shellcheck disable=SC2086 # word splitting of $args is intended
  if temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" $args; then
    created=yes
  else
    sleep 2
  fi
done

if [ "$created" = yes ]; then
  # Frontends see new attributes after their namespace-cache refresh (about 10 s); wait that out
  # so Herald, which starts after this service completes, can set them right away.
  sleep 15
fi
echo "Herald search attributes present in namespace $NAMESPACE: $ATTRIBUTES"

#!/bin/sh
# One-shot, first half of service `temporal-init` in docker-compose.yml (image
# temporalio/admin-tools): waits until the Temporal cluster reports healthy, then creates Herald's
# namespace if it is missing. temporalio/server, unlike the retired auto-setup image, creates no
# namespace of its own (temporalio/samples-server runs compose/scripts/create-namespace.sh for this).
# Idempotent: an existing namespace is left as it is, retention included.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-72h}"
MAX_ATTEMPTS="${TEMPORAL_INIT_MAX_ATTEMPTS:-90}"
SLEEP_SECONDS="${TEMPORAL_INIT_SLEEP_SECONDS:-2}"

attempt=1
until temporal operator cluster health --address "$ADDRESS" >/dev/null 2>&1; do
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "Temporal at $ADDRESS did not report healthy after $MAX_ATTEMPTS attempts" >&2
    exit 1
  fi
  echo "waiting for Temporal at $ADDRESS to be healthy ($attempt/$MAX_ATTEMPTS)..."
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done
echo "Temporal at $ADDRESS is healthy"

attempt=1
while :; do
  if temporal operator namespace describe --namespace "$NAMESPACE" --address "$ADDRESS" >/dev/null 2>&1; then
    echo "namespace $NAMESPACE exists"
    break
  fi
  if temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" --address "$ADDRESS"; then
    echo "namespace $NAMESPACE created (retention $RETENTION)"
    break
  fi
  if [ "$attempt" -ge "$MAX_ATTEMPTS" ]; then
    echo "could not create namespace $NAMESPACE after $MAX_ATTEMPTS attempts" >&2
    exit 1
  fi
  echo "namespace $NAMESPACE not ready yet ($attempt/$MAX_ATTEMPTS)..."
  attempt=$((attempt + 1))
  sleep "$SLEEP_SECONDS"
done

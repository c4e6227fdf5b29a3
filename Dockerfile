# Herald: one image for both processes.
#   server (default):  npx tsx server.ts   (HTTP/GraphQL on $PORT, 4000)
#   worker:            npx tsx worker.ts   (Temporal worker; same image, other command)
# TypeScript runs through tsx at run time, so there is no build step.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so a source change does not reinstall them. The Temporal core bridge ships its
# native binary inside its npm package, so no compiler is needed here.
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && npm cache clean --force

COPY --chown=node:node . .

# The workflow bundle, built once here rather than by webpack at every worker start.
RUN npm run bundle

# DATA_DIR must be writable by the runtime user (file outbox / PGlite when not configured away).
RUN mkdir -p /app/.data && chown node:node /app /app/.data

USER node

ENV PORT=4000 \
    DATA_DIR=/app/.data \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# 4000: the API (GraphQL, webhooks, /healthz, /readyz, /metrics). 9464: the worker's Temporal SDK
# metrics (TEMPORAL_METRICS_PORT). docker-compose.yml publishes only 4000.
EXPOSE 4000 9464

# Only meaningful for the server; the worker service disables it in docker-compose.yml.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["npx", "tsx", "server.ts"]

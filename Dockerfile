# syntax=docker/dockerfile:1
# One image for the five services; the command picks the service (the Helm chart and k8s/ set it):
#   docker build -t helpdesk:0.1.0 .
#   docker run --read-only --tmpfs /tmp helpdesk:0.1.0 node dist/apps/ticket/src/main.js
# Node.js: the current LTS line, pinned by version tag on Debian 13 (trixie) slim.
ARG NODE_IMAGE=node:26.10.0-trixie-slim

# Compiles the TypeScript with SWC and the web console with Vite (into dist/web), as scripts/lib/build.mjs
# does (type-checking is npm test's job).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .swcrc ./
COPY apps ./apps
COPY libs ./libs
RUN npm ci --no-audit --no-fund
RUN npx swc apps libs -d dist --config-file .swcrc --ignore '**/*.spec.ts,**/testing/**,apps/web/**' --quiet
# The web console: Vite writes index.html and the hashed, precompressed assets to dist/web, which the gateway serves.
RUN npm run build --workspace @helpdesk/web

# Production dependencies only (@node-rs/argon2 brings its prebuilt native binding). The workspace links
# point at sources that the runtime image does not contain (dist/ is self-contained): removed.
FROM ${NODE_IMAGE} AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/@helpdesk \
  && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the service user: with a read-only root filesystem, /tmp is the only writable place.
COPY package.json ./
COPY --from=dependencies /app/node_modules ./node_modules
# dist/web is in there: the gateway serves the console from /app/dist/web (its WEB_ROOT default).
COPY --from=build /app/dist ./dist
# db:backup and db:restore, for the chart's backup CronJob (its pg_dump step runs in the postgres image).
COPY scripts/db-backup.mjs scripts/db-restore.mjs ./scripts/
COPY scripts/lib/backup.mjs scripts/lib/database.mjs scripts/lib/environment.mjs scripts/lib/paths.mjs scripts/lib/run.mjs ./scripts/lib/
# The image's "node" user, by number so that Kubernetes can verify runAsNonRoot.
USER 1000:1000
# Public ports, then the internal metrics ports (METRICS_PORT unset: the public port + 1000).
EXPOSE 8080 8081 8082 8083 8084 9080 9081 9082 9083 9084
# node directly (not npm), so SIGTERM reaches the service and its graceful shutdown runs.
CMD ["node", "dist/apps/gateway/src/main.js"]

# syntax=docker/dockerfile:1
# Parley's image: built with every dependency, run with the production ones only, as a non-root user.
#   docker build -t parley .
#   docker run -d -p 3000:3000 -v parley-data:/data parley
# test/integration/dockerfile.test.ts performs the RUN and COPY steps of both stages on the host.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY dashboard ./dashboard
COPY bin ./bin
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/parley.db
WORKDIR /app
# The SQLite database lives on the volume, owned by the user the server runs as.
RUN mkdir /data && chown node:node /data
# Copied as root: the server cannot change its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/scripts ./scripts
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# On SIGTERM the server finishes in-flight requests (up to 25 s) and exits 0; allow it 30 s before SIGKILL
# (`docker stop -t 30`; compose.yaml sets stop_grace_period).
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and receives the signal itself (no shell in between).
CMD ["node", "dist/server.js"]

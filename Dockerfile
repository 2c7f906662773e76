# Berth's image for the Kubernetes runtime. Multi-stage: build with dev dependencies, run with
# production dependencies only, as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY . .
# next build, then Berth's own server compiled (scripts/build-server.mjs) so it starts without tsx.
RUN npm run build

FROM node:20-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# The Prisma client is generated in the build stage and copied below; skip generation here.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 BERTH_HOST=0.0.0.0 PORT=3000
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/.next ./.next
COPY --from=build /app/lib ./lib
COPY --from=build /app/app ./app
COPY --from=build /app/components ./components
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/package.json /app/server.ts /app/next.config.ts /app/tsconfig.json ./
USER 1000:1000
EXPOSE 3000
CMD ["node", "scripts/start.mjs"]

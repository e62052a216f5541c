# syntax=docker/dockerfile:1
# Solidaire: one static binary (pure-Go SQLite, no cgo) on a distroless base,
# running as a non-root user.

# 1. The web app's TypeScript islands.
FROM node:20-bookworm-slim AS assets
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. The binary, with the assets embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/frontend/dist ./frontend/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/solidaire ./cmd/solidaire \
 && mkdir -p /out/data

# 3. The image: the binary and an empty data directory owned by nonroot.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/solidaire /usr/local/bin/solidaire
COPY --from=build --chown=65532:65532 /out/data /data
USER nonroot:nonroot
ENV SOLIDAIRE_ADDR=0.0.0.0:8080 \
    DATABASE_URL=/data/solidaire.db
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/solidaire"]
CMD ["serve"]

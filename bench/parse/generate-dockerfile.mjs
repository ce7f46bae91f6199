/**
 * A large Dockerfile with every kind of line the parser meets in practice: RUN with continuations and mounts,
 * COPY and ADD with flags, ENV, LABEL, ARG, JSON CMD and heredocs. Deterministic for a given count.
 */
const templates = [
  (n) => `RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=bind,source=src${n},target=/src \\
    apt-get update \\
    && apt-get install -y --no-install-recommends curl ca-certificates package${n} \\
    && rm -rf /var/lib/apt/lists/*`,
  (n) => `COPY --from=builder --chown=1000:1000 --chmod=755 --link /src/app${n} /app/${n}/`,
  (n) => `ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --chown=app:app https://example.com/release-${n}.tar.gz /opt/release${n}/`,
  (n) => `ENV APP_HOME_${n}=/srv/app${n} APP_NAME_${n}="service number ${n}" PATH=/srv/app${n}/bin:$PATH`,
  (n) => `LABEL org.opencontainers.image.title="image ${n}" org.opencontainers.image.version="1.${n}.0"`,
  (n) => `ARG VERSION_${n}=1.2.${n}`,
  (n) => `CMD ["node", "server${n}.js", "--port", "80${n % 100}"]`,
  (n) => `RUN <<EOF
set -e
echo "building step ${n}"
mkdir -p /out/${n}
EOF`,
  (n) => `COPY --exclude=*.md --parents src/${n}/*.js ./lib/`,
  (n) => `WORKDIR /app/${n}`,
];

export function generateDockerfile(instructions) {
  const lines = ['# syntax=docker/dockerfile:1', 'FROM busybox:latest AS base'];
  for (let n = 1; n < instructions; n++) lines.push(templates[n % templates.length](n));
  return `${lines.join('\n')}\n`;
}

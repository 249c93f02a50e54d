# syntax=docker/dockerfile:1
#
# migrator in a container: a Rust build stage, then a runtime image with
# the binary and CA certificates only (distroless: glibc, no shell, no
# package manager), running as a non-root user in /work.
#
#   docker build -t migrator .
#   docker run --rm -v "$PWD:/work" migrator verify
#
# docs/install.md says how to mount a project and reach a database;
# scripts/check-docker builds and tries the image where Docker runs.

ARG RUST_VERSION=1

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# Cargo's downloads and target/ are BuildKit caches, kept between builds
# but not in any layer, so the binary leaves target/ in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin migrator \
    && cp target/release/migrator /usr/local/bin/migrator

# Debian 12, as the build stage is: the same glibc. Its nonroot user is
# 65532; /tmp exists for verify --roundtrip's scratch database.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /usr/local/bin/migrator /usr/local/bin/migrator
USER 65532:65532
WORKDIR /work
ENTRYPOINT ["migrator"]
CMD ["--help"]

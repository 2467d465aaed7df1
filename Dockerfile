# nightjar on Debian 12: a build stage with the toolchain and -dev packages, a runtime stage
# with only the shared libraries, running as an unprivileged user.
#   docker build -t nightjar .
FROM debian:12-slim AS build
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libsimdjson-dev libabsl-dev libutf8proc-dev libzstd-dev zlib1g-dev libxxhash-dev \
      libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev libeigen3-dev libhiredis-dev \
      libcpp-httplib-dev libjemalloc-dev librocksdb-dev libpq-dev libmongoc-dev libcurl4-openssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY src src
COPY bench bench
COPY tests tests
COPY fuzz fuzz
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNIGHTJAR_TESTS=OFF \
      -DNIGHTJAR_FUZZ=OFF >/dev/null \
    && cmake --build build --target nightjar

FROM debian:12-slim
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      libabsl20220623 libsimdjson14 libutf8proc2 libzstd1 zlib1g libxxhash0 libspdlog1.10 libfmt9 \
      libhiredis0.14 librocksdb7.8 libpq5 libmongoc-1.0-0 libcurl4 libjemalloc2 \
      libcpp-httplib0.11 libtomlplusplus3 tzdata ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/nightjar --create-home nightjar
COPY --from=build /src/build/nightjar /usr/local/bin/nightjar
USER 10001:10001
WORKDIR /var/lib/nightjar
ENTRYPOINT ["/usr/local/bin/nightjar"]
CMD ["--help"]

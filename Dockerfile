# Dockerfile: stockagent as an Amazon Bedrock AgentCore runtime.
#
#   docker buildx build --platform linux/arm64 -t stockagent:arm64 --load .
#   docker run --rm -p 8080:8080 stockagent:arm64
#
# AgentCore runs ARM64 containers; linux/amd64 builds the same way for
# running elsewhere (buildx emulates the other architecture with QEMU).
# The image serves POST /invocations and GET /ping on 0.0.0.0:8080 as a
# user without privileges; see README, "Deploy to AgentCore".
#
# The same image runs the batch on Kubernetes (data/k8s/: an Indexed
# CronJob of `stockagent batch --shard auto` and `batch merge`; README,
# "Scale out"), whose manifests give the arguments and set
# STOCKAGENT_NO_PDF=false.

# --- build: the libraries' development packages (those of scripts/setup
# --deps that the program needs), then configure, make, make install.
FROM debian:12-slim AS build
RUN apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        build-essential autoconf automake pkg-config ca-certificates \
        gettext autopoint \
        libcurl4-openssl-dev libcjson-dev libsqlite3-dev libssl-dev \
        libhpdf-dev zlib1g-dev libmicrohttpd-dev && \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN autoreconf -fi && \
    ./configure -q --prefix=/usr/local --with-cuda=no && \
    make -j"$(nproc)" stockagent && \
    make install-binPROGRAMS install-dist_pkgdataDATA DESTDIR=/out && \
    make -C po install DESTDIR=/out

# --- runtime: the binary, its data files and the run-time libraries.
FROM debian:12-slim
RUN apt-get update -q && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        ca-certificates libcurl4 libcjson1 libsqlite3-0 libssl3 \
        libhpdf-2.3.0 libmicrohttpd12 fonts-dejavu-core && \
    rm -rf /var/lib/apt/lists/* && \
    useradd --system --uid 10001 --create-home --home-dir /home/stockagent \
        stockagent
COPY --from=build /out/usr/local/ /usr/local/
USER 10001:10001
WORKDIR /home/stockagent
# Listen on 0.0.0.0 even where the runtime has no /.dockerenv.
ENV DOCKER_CONTAINER=1 \
    STOCKAGENT_NO_PDF=1
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/stockagent"]
CMD ["serve", "--port", "8080"]

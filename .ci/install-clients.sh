#!/usr/bin/env bash
# Installs the non-Java clients the integration tests drive (dev.skiff.it.clients): librdkafka through
# confluent-kafka and kcat, kafka-python (Debian packages, for /usr/bin/python3) and KafkaJS (npm); and headless
# Chromium with its WebDriver (Debian chromium, chromium-driver) for the console's browser test (dev.skiff.it.console).
# Never fails the CI run: a client that cannot be installed makes its tests skip, so every step logs and goes on.
set -uo pipefail
cd "$(dirname "$0")/.."

log() { echo "install-clients: $*" >&2; }

# Debian packages: skip apt entirely when everything is already there.
have_debs() {
    /usr/bin/python3 -c 'import confluent_kafka, kafka' >/dev/null 2>&1 && command -v kcat >/dev/null 2>&1 \
        && [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]
}
if have_debs; then
    log "confluent-kafka, kafka-python, kcat and chromium already installed"
elif ! command -v apt-get >/dev/null 2>&1; then
    log "no apt-get: the librdkafka, kcat and kafka-python tests will skip"
else
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
            log "not root and no password-less sudo: skipping apt-get"; SUDO="skip"; fi
    fi
    if [ "$SUDO" != "skip" ]; then
        export DEBIAN_FRONTEND=noninteractive
        # wait for a dpkg lock held by another apt-get rather than failing at once
        # and give up on an unreachable mirror in minutes, not hours
        APT="$SUDO apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=1 -o Acquire::http::Timeout=30"
        $APT update -q || log "apt-get update failed; trying the install with the lists we have"
        $APT install -y -q --no-install-recommends python3-confluent-kafka python3-kafka kcat \
            || log "apt-get install failed: the tests of the clients missing will skip"
        # on its own line: a browser that cannot be had must not keep the clients out
        $APT install -y -q --no-install-recommends chromium chromium-driver \
            || log "apt-get install chromium failed: the console's browser test will skip"
    fi
fi

# KafkaJS into target/ (ignored by git, removed by mvn clean) where ClientScripts looks for it.
NODE_DIR=${SKIFF_NODE_DIR:-integration-tests/target/node}
if [ -f "$NODE_DIR/node_modules/kafkajs/package.json" ]; then
    log "kafkajs already installed in $NODE_DIR"
elif ! command -v npm >/dev/null 2>&1; then
    log "no npm: the KafkaJS tests will skip"
else
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --no-save --fetch-retries=1 --fetch-timeout=60000 kafkajs \
        || log "npm install kafkajs failed: the KafkaJS tests will skip"
fi
exit 0

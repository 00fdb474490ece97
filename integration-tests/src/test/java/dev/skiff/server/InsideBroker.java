package dev.skiff.server;

import dev.skiff.broker.Broker;

/**
 * The broker inside an {@link EmbeddedSkiff}, for Skiff's own white-box tests only (damaging an internal
 * log, counting waiting fetches). It lives in the test sources, so embedders never see it: the embedding API
 * is {@link EmbeddedSkiff}'s facade. Prefer the facade wherever it can say what a test needs.
 */
public final class InsideBroker {

    private InsideBroker() {}

    public static Broker of(EmbeddedSkiff embedded) {
        return embedded.broker();
    }
}

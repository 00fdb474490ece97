package dev.skiff.broker.api;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import dev.skiff.protocol.message.ApiVersionsResponseData;
import java.util.List;

/**
 * The feature levels ApiVersions v3+ advertises (KIP-584), as a Kafka 4.x cluster finalizes them; clients turn
 * protocols on from them. {@code transaction.version}: 2 (Kafka 4.x's level for a new cluster) lets kafka-clients
 * 4.x use transactions V2 (KIP-890: Produce v12 adds partitions, EndTxn v5 bumps the epoch); the broker property
 * {@code transaction.version=1} (or 0) keeps them on V1, as {@code kafka-features downgrade} would.
 */
public record Features(short transactionVersion) {

    /** The highest transaction.version Skiff serves. */
    public static final short MAX_TRANSACTION_VERSION = 2;

    /** What Kafka 4.x formats a new cluster with. */
    public static final Features DEFAULT = new Features(MAX_TRANSACTION_VERSION);

    public static Features of(BrokerConfig config) {
        String v = config.get("transaction.version");
        if (v == null || v.isBlank()) return DEFAULT;
        try {
            short level = Short.parseShort(v.trim());
            if (level >= 0 && level <= MAX_TRANSACTION_VERSION) return new Features(level);
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException("transaction.version must be 0, 1 or 2, got " + v);
    }

    /** Features finalized at level 1 from the start. */
    private static final List<String> ALWAYS_ON = List.of("group.version", "share.version");

    /** Adds the supported and finalized features to an ApiVersions v3+ answer. */
    void addTo(ApiVersionsResponseData r) {
        r.supportedFeatures()
                .add(new ApiVersionsResponseData.SupportedFeatureKey()
                        .setName("transaction.version")
                        .setMinVersion((short) 0)
                        .setMaxVersion(MAX_TRANSACTION_VERSION));
        // group.version 1: KIP-848 consumer groups; share.version 1: KIP-932 share groups. Both are on, as a
        // Kafka 4.1 cluster serves them once these levels are finalized.
        for (String feature : ALWAYS_ON)
            r.supportedFeatures()
                    .add(new ApiVersionsResponseData.SupportedFeatureKey()
                            .setName(feature)
                            .setMinVersion((short) 0)
                            .setMaxVersion((short) 1));
        // the epoch of the finalized levels: constant, as they change only with a restart
        r.setFinalizedFeaturesEpoch(1);
        if (transactionVersion > 0)
            r.finalizedFeatures()
                    .add(new ApiVersionsResponseData.FinalizedFeatureKey()
                            .setName("transaction.version")
                            .setMinVersionLevel(transactionVersion)
                            .setMaxVersionLevel(transactionVersion));
        for (String feature : ALWAYS_ON)
            r.finalizedFeatures()
                    .add(new ApiVersionsResponseData.FinalizedFeatureKey()
                            .setName(feature)
                            .setMinVersionLevel((short) 1)
                            .setMaxVersionLevel((short) 1));
    }
}

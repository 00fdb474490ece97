package dev.skiff.broker.api;

import dev.skiff.broker.admin.FinalizedFeatures;
import dev.skiff.protocol.message.ApiVersionsResponseData;

/**
 * The feature levels ApiVersions v3+ advertises (KIP-584), as a Kafka 4.x cluster finalizes them; clients turn
 * protocols on from them. {@code transaction.version}: 2 (Kafka 4.x's level for a new cluster) lets kafka-clients
 * 4.x use transactions V2 (KIP-890: Produce v12 adds partitions, EndTxn v5 bumps the epoch); level 1 (or 0) keeps
 * them on V1. The levels and their epoch are {@link FinalizedFeatures}', which UpdateFeatures changes.
 */
final class Features {

    private Features() {}

    /** Adds the supported and finalized features to an ApiVersions v3+ answer. */
    static void addTo(ApiVersionsResponseData r, FinalizedFeatures.Levels levels) {
        for (FinalizedFeatures.Supported s : FinalizedFeatures.SUPPORTED)
            r.supportedFeatures()
                    .add(new ApiVersionsResponseData.SupportedFeatureKey()
                            .setName(s.name())
                            .setMinVersion(s.min())
                            .setMaxVersion(s.max()));
        r.setFinalizedFeaturesEpoch(levels.epoch());
        levels.levels()
                .forEach((name, level) -> r.finalizedFeatures()
                        .add(new ApiVersionsResponseData.FinalizedFeatureKey()
                                .setName(name)
                                .setMinVersionLevel(level)
                                .setMaxVersionLevel(level)));
    }
}

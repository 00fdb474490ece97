package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.oracle.KafkaWire;
import dev.skiff.server.EmbeddedSkiff;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.message.UpdateFeaturesRequestData;
import org.apache.kafka.common.message.UpdateFeaturesResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * UpdateFeatures and UnregisterBroker from a hostile client over a real socket: 20,000 features in one request, a
 * feature name of 30,000 characters, levels at Short.MIN_VALUE and MAX_VALUE, unknown upgrade types, a good update
 * hidden behind a bad one (nothing may change), broker ids at the int extremes. Every refusal is Kafka's
 * INVALID_UPDATE_VERSION or BROKER_ID_NOT_REGISTERED, the finalized levels change only by a valid request, keep their
 * level and epoch across a restart, and the broker serves on and restarts intact.
 */
class FeaturesAndRegistrationHostileTest {

    private static UpdateFeaturesRequestData.FeatureUpdateKey update(String feature, int level, int type) {
        return new UpdateFeaturesRequestData.FeatureUpdateKey()
                .setFeature(feature)
                .setMaxVersionLevel((short) level)
                .setUpgradeType((byte) type);
    }

    private static Errors send(KafkaWire wire, UpdateFeaturesRequestData req) throws Exception {
        UpdateFeaturesResponseData r = wire.send(req, 2);
        return Errors.forCode(r.errorCode());
    }

    private static ApiVersionsResponseData apiVersions(KafkaWire wire) throws Exception {
        return wire.send(
                new ApiVersionsRequestData().setClientSoftwareName("hostile").setClientSoftwareVersion("1"), 3);
    }

    private static String transactionVersion(ApiVersionsResponseData r) {
        ApiVersionsResponseData.FinalizedFeatureKey k = r.finalizedFeatures().find("transaction.version");
        return k == null ? "none" : k.minVersionLevel() + "-" + k.maxVersionLevel();
    }

    @Test
    void hostileFeatureUpdatesAndUnregistrationsAreRefusedAndTheBrokerSurvives() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            long epoch;
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                ApiVersionsResponseData before = apiVersions(wire);
                assertEquals("2-2", transactionVersion(before));
                epoch = before.finalizedFeaturesEpoch();

                UpdateFeaturesRequestData many = new UpdateFeaturesRequestData();
                for (int i = 0; i < 20_000; i++) many.featureUpdates().add(update("feature-" + i, 1, 1));
                assertEquals(Errors.INVALID_UPDATE_VERSION, send(wire, many));
                UpdateFeaturesRequestData longName = new UpdateFeaturesRequestData();
                longName.featureUpdates().add(update("x".repeat(30_000), 1, 1));
                assertEquals(Errors.INVALID_UPDATE_VERSION, send(wire, longName));
                for (int[] bad : new int[][] {
                    {Short.MIN_VALUE, 2}, {Short.MAX_VALUE, 1}, {3, 1}, {1, 0}, {1, 4}, {1, -128}, {1, 127}
                }) {
                    UpdateFeaturesRequestData r = new UpdateFeaturesRequestData();
                    r.featureUpdates().add(update("transaction.version", bad[0], bad[1]));
                    assertEquals(Errors.INVALID_UPDATE_VERSION, send(wire, r), "level " + bad[0] + " type " + bad[1]);
                }
                // a valid downgrade behind an invalid update: the request fails whole, nothing changes
                UpdateFeaturesRequestData mixed = new UpdateFeaturesRequestData();
                mixed.featureUpdates().add(update("transaction.version", 1, 2));
                mixed.featureUpdates().add(update("group.version", 0, 3));
                assertEquals(Errors.INVALID_UPDATE_VERSION, send(wire, mixed));
                ApiVersionsResponseData unchanged = apiVersions(wire);
                assertEquals("2-2", transactionVersion(unchanged));
                assertEquals(epoch, unchanged.finalizedFeaturesEpoch());

                UpdateFeaturesRequestData good = new UpdateFeaturesRequestData();
                good.featureUpdates().add(update("transaction.version", 1, 2));
                assertEquals(Errors.NONE, send(wire, good));
                ApiVersionsResponseData after = apiVersions(wire);
                assertEquals("1-1", transactionVersion(after));
                assertTrue(after.finalizedFeaturesEpoch() > epoch);
                epoch = after.finalizedFeaturesEpoch();

                for (int id : new int[] {Integer.MIN_VALUE, -1, 1, Integer.MAX_VALUE}) {
                    UnregisterBrokerResponseData r = wire.send(new UnregisterBrokerRequestData().setBrokerId(id), 0);
                    assertEquals(Errors.BROKER_ID_NOT_REGISTERED, Errors.forCode(r.errorCode()), "id " + id);
                }
            }
            survival.assertServedAndRestartsIntact();
            try (KafkaWire wire = new KafkaWire(broker.host(), broker.port())) {
                ApiVersionsResponseData restarted = apiVersions(wire);
                assertEquals("1-1", transactionVersion(restarted), "the downgrade survives the restart");
                assertEquals(epoch, restarted.finalizedFeaturesEpoch());
            }
        }
    }
}

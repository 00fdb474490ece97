package dev.skiff.it.hostile;

import dev.skiff.server.EmbeddedSkiff;
import org.junit.jupiter.api.Test;

/** The after-check of the hostile tests on its own: with no attack, a restart keeps records and offsets. */
class SurvivalTest {

    @Test
    void aBrokerLeftAloneServesAndRestartsIntact() {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival.before(broker).assertServedAndRestartsIntact();
        }
    }
}

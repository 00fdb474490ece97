package dev.skiff.it.txn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The transaction scenarios with KafkaJS's transactional producer (npm-installed into
 * integration-tests/target/node by `.ci/run`); skipped when node or KafkaJS is missing.
 */
class KafkaJsTransactionsTest extends ScriptTransactionsTest {

    @BeforeAll
    static void requireClient() throws Exception {
        boolean node = false;
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            node = p.waitFor() == 0;
        } catch (java.io.IOException e) {
            // no node
        }
        assumeTrue(node, "node is not installed");
        assumeTrue(ScriptClient.kafkaJsModules() != null, "kafkajs is not installed in integration-tests/target/node");
    }

    @Override
    Path nodePath() {
        return ScriptClient.kafkaJsModules();
    }

    @Override
    List<String> command(String bootstrap, String scenario, String... args) {
        List<String> c = new ArrayList<>(List.of("node", ScriptClient.script("kafkajs_txn.js"), bootstrap, scenario));
        c.addAll(List.of(args));
        return c;
    }
}

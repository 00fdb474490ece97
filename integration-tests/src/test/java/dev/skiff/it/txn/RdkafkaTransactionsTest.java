package dev.skiff.it.txn;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;

/**
 * The transaction scenarios with librdkafka's transactional producer (Debian's python3-confluent-kafka, for
 * the system interpreter /usr/bin/python3); skipped when it is not installed.
 */
class RdkafkaTransactionsTest extends ScriptTransactionsTest {

    private static final String PYTHON = "/usr/bin/python3";

    @BeforeAll
    static void requireClient() throws Exception {
        boolean installed = false;
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import confluent_kafka")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            installed = p.waitFor() == 0;
        } catch (java.io.IOException e) {
            // no such interpreter
        }
        assumeTrue(installed, "python3-confluent-kafka is not installed for " + PYTHON);
    }

    @Override
    List<String> command(String bootstrap, String scenario, String... args) {
        List<String> c =
                new ArrayList<>(List.of(PYTHON, "-u", ScriptClient.script("rdkafka_txn.py"), bootstrap, scenario));
        c.addAll(List.of(args));
        return c;
    }
}

package dev.skiff.broker.groupconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.broker.admin.AdminException;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.Errors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single broker's group-config file: written before applied, read back, damaged lines skipped. */
class GroupConfigsTest {

    @TempDir
    Path dir;

    private GroupConfigs open() {
        return GroupConfigs.forBroker(BrokerConfig.of(Map.of()), null, true, dir);
    }

    @Test
    void keptAcrossReopenWithOddIdsAndEmptySets() {
        GroupConfigs g = open();
        g.replace("a b\n=c", Map.of("share.auto.offset.reset", "earliest"));
        g.replace("emptied", Map.of());
        GroupConfigs again = open();
        assertEquals(List.of("a b\n=c", "emptied"), again.groupIds());
        assertEquals(Map.of("share.auto.offset.reset", "earliest"), again.configs("a b\n=c"));
        assertEquals("earliest", again.shareAutoOffsetReset("a b\n=c"));
        assertEquals("latest", again.shareAutoOffsetReset("other"));
        assertEquals(45_000, again.consumerSessionTimeoutMs("other", 45_000));
    }

    @Test
    void damagedLinesAreSkipped() throws Exception {
        GroupConfigs g = open();
        g.replace("good", Map.of("share.record.lock.duration.ms", "20000"));
        Path file = dir.resolve(".skiff").resolve("group-configs");
        Files.writeString(
                file,
                Files.readString(file) + "!!! not base64\nZ29vZDI unknown.key=MQ\nZ29vZDM noequals\n",
                StandardCharsets.ISO_8859_1);
        GroupConfigs again = open();
        assertEquals(List.of("good"), again.groupIds());
        assertEquals(20_000, again.shareRecordLockDurationMs("good", 30_000));
    }

    @Test
    void aFailedWriteChangesNothing() throws Exception {
        GroupConfigs g = open();
        g.replace("kept", Map.of("share.isolation.level", "read_committed"));
        // the file's place taken by a directory: the rename fails
        Path file = dir.resolve(".skiff").resolve("group-configs");
        Files.delete(file);
        Files.createDirectories(file.resolve("blocker"));
        AdminException e = assertThrows(
                AdminException.class, () -> g.replace("new", Map.of("share.isolation.level", "read_committed")));
        assertEquals(Errors.KAFKA_STORAGE_ERROR, e.error().error());
        assertEquals(List.of("kept"), g.groupIds());
    }

    @Test
    void validationAsKafka() {
        BrokerConfig broker = BrokerConfig.of(Map.of("group.share.min.record.lock.duration.ms", "1000"));
        GroupConfigDef.validate(Map.of("share.record.lock.duration.ms", "1000"), broker);
        AdminException e = assertThrows(
                AdminException.class,
                () -> GroupConfigDef.validate(Map.of("consumer.session.timeout.ms", "5000"), broker));
        assertEquals(Errors.INVALID_CONFIG, e.error().error());
        assertEquals(
                Map.of("consumer.session.timeout.ms", "50000", "share.auto.offset.reset", "earliest"),
                GroupConfigDef.normalized(
                        Map.of("consumer.session.timeout.ms", " +50000 ", "share.auto.offset.reset", " earliest")));
    }
}

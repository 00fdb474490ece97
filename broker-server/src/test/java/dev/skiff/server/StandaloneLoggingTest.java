package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The standalone server's SLF4J provider sets up what its XML configuration did (one line per event on stdout,
 * INFO and up, Netty and ZooKeeper from WARN), and its line is the one Logback's pattern made before it.
 */
class StandaloneLoggingTest {

    @Test
    void theProviderLogsLinesToStdoutAtInfoWithNettyAndZooKeeperAtWarn() {
        StandaloneLogging provider = new StandaloneLogging();
        provider.initialize();
        LoggerContext context = assertInstanceOf(LoggerContext.class, provider.getLoggerFactory());
        assertTrue(context.isStarted());
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.INFO, root.getLevel());
        assertEquals(Level.WARN, context.getLogger("io.netty.channel").getEffectiveLevel());
        assertEquals(
                Level.WARN, context.getLogger("org.apache.zookeeper.ZooKeeper").getEffectiveLevel());
        assertEquals(
                Level.INFO, context.getLogger("dev.skiff.server.SkiffServer").getEffectiveLevel());
        ConsoleAppender<ILoggingEvent> out = assertInstanceOf(ConsoleAppender.class, root.getAppender("OUT"));
        assertEquals("System.out", out.getTarget());
        var encoder = assertInstanceOf(LayoutWrappingEncoder.class, out.getEncoder());
        assertInstanceOf(StandaloneLogging.Line.class, encoder.getLayout());
        assertNotNull(provider.getMarkerFactory());
        assertNotNull(provider.getMDCAdapter());
        context.stop();
    }

    @Test
    void aLogbackConfigurationFileStillWins() throws Exception {
        Path xml = Files.createTempFile("skiff-logback", ".xml");
        Files.writeString(xml, """
                <configuration>
                  <appender name="MINE" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%msg%n</pattern></encoder>
                  </appender>
                  <root level="DEBUG"><appender-ref ref="MINE"/></root>
                </configuration>
                """);
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", xml.toString());
        try {
            StandaloneLogging provider = new StandaloneLogging();
            provider.initialize();
            LoggerContext context = assertInstanceOf(LoggerContext.class, provider.getLoggerFactory());
            ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            assertEquals(Level.DEBUG, root.getLevel());
            assertNotNull(root.getAppender("MINE"));
            assertEquals(null, root.getAppender("OUT"));
            context.stop();
        } finally {
            if (before == null) System.clearProperty("logback.configurationFile");
            else System.setProperty("logback.configurationFile", before);
            Files.deleteIfExists(xml);
        }
    }

    @Test
    void aLineIsWhatThePatternItReplacesWrites() {
        LoggerContext context = new LoggerContext();
        PatternLayout pattern = new PatternLayout();
        pattern.setContext(context);
        pattern.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n");
        pattern.start();
        StandaloneLogging.Line line = new StandaloneLogging.Line();
        line.setContext(context);
        line.start();
        List<Long> times = List.of(0L, 1L, 999L, 86_399_999L, 1_733_443_200_007L, 1_765_000_000_123L, -1L);
        List<Level> levels = List.of(Level.ERROR, Level.WARN, Level.INFO, Level.DEBUG, Level.TRACE);
        List<String> loggers = List.of("dev.skiff.server.SkiffServer", "Root", "a.b.");
        int n = 0;
        for (long t : times)
            for (Level level : levels)
                for (String logger : loggers) {
                    Throwable thrown =
                            n++ % 4 == 0 ? new IllegalStateException("broken", new RuntimeException()) : null;
                    LoggingEvent e = new LoggingEvent(
                            "fqcn", context.getLogger(logger), level, "topic {} at {}", thrown, new Object[] {"t", n});
                    e.setTimeStamp(t);
                    assertEquals(pattern.doLayout(e), line.doLayout(e), t + " " + level + " " + logger);
                }
    }
}

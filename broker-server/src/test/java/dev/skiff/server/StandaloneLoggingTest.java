package dev.skiff.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The standalone server's line is the one Logback's pattern made before it. */
class StandaloneLoggingTest {

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

package dev.skiff.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.TimeZone;
import org.slf4j.Logger;

/**
 * The standalone server's logging: one line per event on stdout, INFO and up, Netty's and ZooKeeper's chatter
 * from WARN. Set in code rather than from a logback XML file because reading XML loads and runs Logback's Joran
 * and the JDK's XML parser (~600 classes), a third of a cold start. Only the standalone jar names this class (its
 * {@code META-INF/services} entry is added when the jar is shaded), so embedders keep their own logging setup;
 * a {@code -Dlogback.configurationFile} still wins. The line is made by {@link Line}, not by a pattern: Logback's
 * pattern parser, its converters and java.time's formatters cost a start ~25 ms.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class StandaloneLogging extends ContextAwareBase implements Configurator {

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        Line line = new Line();
        line.setContext(context);
        line.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(line);
        encoder.start();
        ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
        out.setContext(context);
        out.setName("OUT");
        out.setEncoder(encoder);
        out.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(out);
        context.getLogger("io.netty").setLevel(Level.WARN);
        context.getLogger("org.apache.zookeeper").setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * What the pattern {@code %d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n} writes, in local time, then the
     * stack trace of an event's throwable as Logback prints it.
     */
    static final class Line extends LayoutBase<ILoggingEvent> {
        private final TimeZone zone = TimeZone.getDefault();

        @Override
        public String doLayout(ILoggingEvent event) {
            StringBuilder b = new StringBuilder(128);
            long ms = event.getTimeStamp();
            long ofDay = Math.floorMod(ms + zone.getOffset(ms), 86_400_000L);
            two(b, ofDay / 3_600_000).append(':');
            two(b, ofDay / 60_000 % 60).append(':');
            two(b, ofDay / 1000 % 60).append('.');
            long millis = ofDay % 1000;
            if (millis < 100) b.append('0');
            two(b, millis).append(' ');
            String level = event.getLevel().toString();
            b.append(level);
            for (int i = level.length(); i < 5; i++) b.append(' ');
            String logger = event.getLoggerName();
            b.append(' ').append(logger, logger.lastIndexOf('.') + 1, logger.length());
            b.append(" - ").append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) b.append(ThrowableProxyUtil.asString(thrown)); // ends with a line separator
            return b.toString();
        }

        private static StringBuilder two(StringBuilder b, long n) {
            if (n < 10) b.append('0');
            return b.append(n);
        }
    }
}

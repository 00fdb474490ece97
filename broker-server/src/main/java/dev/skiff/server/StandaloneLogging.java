package dev.skiff.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LogbackServiceProvider;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.TimeZone;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The standalone server's logging: one line per event on stdout, INFO and up, Netty's and ZooKeeper's chatter
 * from WARN. Only the standalone jar names this class, as its SLF4J provider (the shaded jar's {@code
 * META-INF/services} entry replaces Logback's), so embedders keep their own logging setup.
 *
 * <p>It builds Logback's context itself instead of through Logback's {@code ContextInitializer}, whose start-up
 * work is a tenth of a cold start: reading a logback XML loads Joran and the JDK's XML parser (~600 classes), a
 * pattern layout loads the pattern parser and java.time's formatters (~25 ms; {@link Line} writes the same line),
 * and the initializer's own status messages link string concatenations and date formatters (~30 ms of CPU on the
 * thread that the first Netty class waits for). A {@code -Dlogback.configurationFile} still wins: then Logback's
 * own provider configures everything as usual.
 */
public final class StandaloneLogging implements SLF4JServiceProvider {
    private ILoggerFactory loggers;
    private IMarkerFactory markers;
    private MDCAdapter mdc;

    @Override
    public void initialize() {
        if (System.getProperty("logback.configurationFile") != null) {
            SLF4JServiceProvider logback = new LogbackServiceProvider();
            logback.initialize();
            loggers = logback.getLoggerFactory();
            markers = logback.getMarkerFactory();
            mdc = logback.getMDCAdapter();
            return;
        }
        LoggerContext context = new LoggerContext();
        context.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        configure(context);
        context.start();
        mdc = new LogbackMDCAdapter();
        context.setMDCAdapter(mdc);
        loggers = context;
        markers = new BasicMarkerFactory();
    }

    private static void configure(LoggerContext context) {
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
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
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

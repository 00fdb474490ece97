package dev.skiff.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import java.util.Map;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Runs fixture classes through the JUnit Platform, as a build would, and returns what happened. */
final class FixtureRunner {

    static TestExecutionSummary run(Class<?>... classes) {
        return run(Map.of(), classes);
    }

    static TestExecutionSummary run(Map<String, String> config, Class<?>... classes) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(classes).map(c -> selectClass(c)).toList())
                .configurationParameters(config)
                .build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        return listener.getSummary();
    }

    /** The failures, readable in an assertion message. */
    static String failures(TestExecutionSummary s) {
        StringBuilder b = new StringBuilder();
        s.getFailures()
                .forEach(f -> b.append(f.getTestIdentifier().getDisplayName())
                        .append(": ")
                        .append(f.getException())
                        .append('\n'));
        return b.toString();
    }

    private FixtureRunner() {}
}

package dev.skiff.junit;

import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.SkiffCluster;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Starts and stops the brokers declared with {@link Skiff} and hands them to tests. Brokers live in the
 * store of the JUnit context that declared them (the class, or one test), never in static state, so classes
 * and methods running in parallel each get their own.
 */
public final class SkiffExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SkiffExtension.class);

    @Override
    public void beforeAll(ExtensionContext ctx) throws IllegalAccessException {
        List<Skiff> perClass = new ArrayList<>();
        for (Skiff s : declared(ctx.getRequiredTestClass()))
            if (s.lifecycle() == Skiff.Lifecycle.PER_CLASS) perClass.add(s);
        if (!perClass.isEmpty()) brokers(ctx).startAll(perClass);
        injectFields(ctx.getRequiredTestClass(), null, ctx);
    }

    @Override
    public void beforeEach(ExtensionContext ctx) throws IllegalAccessException {
        startMethodBrokers(ctx);
        for (Object instance : ctx.getRequiredTestInstances().getAllInstances()) {
            injectFields(instance.getClass(), instance, ctx);
        }
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        stop(ctx);
    }

    @Override
    public void afterAll(ExtensionContext ctx) {
        stop(ctx);
    }

    /** Lets a per-method broker reach the test's constructor: the instance is made in the test's own context. */
    @Override
    public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
        return ExtensionContextScope.TEST_METHOD;
    }

    @Override
    public boolean supportsParameter(ParameterContext param, ExtensionContext ctx) {
        Class<?> type = param.getParameter().getType();
        return type == EmbeddedSkiff.class
                || type == SkiffCluster.class
                || (type == String.class && param.isAnnotated(SkiffBroker.class))
                || type == java.util.Properties.class;
    }

    @Override
    public Object resolveParameter(ParameterContext param, ExtensionContext ctx) {
        try {
            startMethodBrokers(ctx); // a constructor is resolved before beforeEach
            String name = param.findAnnotation(SkiffBroker.class)
                    .map(SkiffBroker::value)
                    .orElse("");
            EmbeddedSkiff broker = find(ctx, name);
            return resolved(param.getParameter().getType(), broker);
        } catch (ExtensionConfigurationException e) {
            throw new ParameterResolutionException(e.getMessage() + " (parameter " + param.getParameter() + ")", e);
        }
    }

    /** Starts the brokers of one test: its own {@code @Skiff}s, then its classes' per-method ones. */
    private static void startMethodBrokers(ExtensionContext ctx) {
        if (ctx.getTestMethod().isEmpty()) return;
        List<Skiff> specs = new ArrayList<>(declared(ctx.getRequiredTestMethod()));
        for (Class<?> c = ctx.getRequiredTestClass(); c != null; c = c.getEnclosingClass()) {
            for (Skiff s : declared(c)) if (s.lifecycle() == Skiff.Lifecycle.PER_METHOD) specs.add(s);
        }
        if (!specs.isEmpty()) brokers(ctx).startAll(specs);
    }

    private static List<Skiff> declared(AnnotatedElement element) {
        return AnnotationSupport.findRepeatableAnnotations(element, Skiff.class);
    }

    private static Brokers brokers(ExtensionContext ctx) {
        return ctx.getStore(NAMESPACE).getOrComputeIfAbsent(ctx.getUniqueId(), k -> new Brokers(), Brokers.class);
    }

    /** The brokers started in exactly this context (the store would also look in the parents'). */
    private static Brokers own(ExtensionContext ctx) {
        return ctx.getStore(NAMESPACE).get(ctx.getUniqueId(), Brokers.class);
    }

    private static void stop(ExtensionContext ctx) {
        Brokers b = ctx.getStore(NAMESPACE).remove(ctx.getUniqueId(), Brokers.class);
        if (b != null) b.close();
    }

    /** The nearest broker of that name; for no name, the unnamed one or else the only one in sight. */
    private static EmbeddedSkiff find(ExtensionContext ctx, String name) {
        Map<String, EmbeddedSkiff> visible = new LinkedHashMap<>();
        for (Optional<ExtensionContext> c = Optional.of(ctx);
                c.isPresent();
                c = c.get().getParent()) {
            Brokers b = own(c.get());
            if (b != null) b.all().forEach(visible::putIfAbsent);
        }
        EmbeddedSkiff broker = visible.get(name);
        if (broker != null) return broker;
        if (name.isEmpty() && visible.size() == 1)
            return visible.values().iterator().next();
        if (visible.isEmpty()) {
            throw new ExtensionConfigurationException("No Skiff broker here: annotate the test class or method with "
                    + "@Skiff (a static field or @BeforeAll method needs a per-class one)");
        }
        throw new ExtensionConfigurationException(
                (name.isEmpty()
                        ? "Several Skiff brokers " + visible.keySet() + ": pick one with @SkiffBroker(\"name\")"
                        : "No Skiff broker named \"" + name + "\" among " + visible.keySet()));
    }

    /** Sets the {@link SkiffBroker} fields of a test instance, or the static ones when {@code instance} is null. */
    private static void injectFields(Class<?> type, Object instance, ExtensionContext ctx)
            throws IllegalAccessException {
        boolean statics = instance == null;
        List<Field> fields = AnnotationSupport.findAnnotatedFields(
                type, SkiffBroker.class, f -> Modifier.isStatic(f.getModifiers()) == statics);
        for (Field f : fields) {
            if (f.getType() != EmbeddedSkiff.class
                    && f.getType() != String.class
                    && f.getType() != SkiffCluster.class
                    && f.getType() != java.util.Properties.class) {
                throw new ExtensionConfigurationException("@SkiffBroker field " + f
                        + " must be an EmbeddedSkiff, a SkiffCluster, a String or Properties");
            }
            EmbeddedSkiff broker = find(ctx, f.getAnnotation(SkiffBroker.class).value());
            f.setAccessible(true);
            f.set(instance, resolved(f.getType(), broker));
        }
    }

    /**
     * What a parameter or field of {@code type} receives: the broker, its bootstrap servers (String), ready
     * client properties (Properties, a fresh copy) or its cluster.
     */
    private static Object resolved(Class<?> type, EmbeddedSkiff broker) {
        if (type == String.class) return broker.bootstrapServers();
        if (type == java.util.Properties.class) return broker.clientProperties();
        if (type == SkiffCluster.class) {
            if (broker.cluster() == null)
                throw new ExtensionConfigurationException("A SkiffCluster needs @Skiff(brokers = N) with N > 1");
            return broker.cluster();
        }
        return broker;
    }
}

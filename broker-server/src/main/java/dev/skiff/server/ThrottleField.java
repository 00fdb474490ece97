package dev.skiff.server;

import dev.skiff.protocol.ApiMessage;
import java.lang.reflect.Method;

/**
 * The throttle_time_ms of any answer: every generated response with the field has {@code throttleTimeMs()} and
 * {@code setThrottleTimeMs(int)}, looked up once per class. A version without the field does not write it.
 */
final class ThrottleField {

    private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            try {
                return new Method[] {type.getMethod("throttleTimeMs"), type.getMethod("setThrottleTimeMs", int.class)};
            } catch (NoSuchMethodException e) {
                return null; // an answer without throttle time
            }
        }
    };

    private ThrottleField() {}

    /** Sets the answer's throttle time to {@code ms} unless it is already longer. */
    static void raise(ApiMessage body, int ms) {
        Method[] m = ACCESSORS.get(body.getClass());
        if (m == null) return;
        try {
            int current = (int) m[0].invoke(body);
            if (ms > current) m[1].invoke(body, ms);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot set the throttle time of " + body.getClass().getName(), e);
        }
    }
}

package dev.skiff.broker;

import dev.skiff.broker.security.KafkaPrincipal;
import java.util.concurrent.Executor;

/**
 * The client connection a request arrived on, as much of it as broker-core needs without the network: work
 * that only matters to that client (a long-poll fetch) ends when the connection does, and runs on the
 * connection's own thread rather than on the thread of whoever woke it.
 */
public interface Connection {

    /**
     * Runs {@code onClose} once when the connection closes, at once if it already has. Cancel the returned
     * registration when the work finished first, so a long-lived connection does not collect them.
     */
    Registration onClose(Runnable onClose);

    /** Where work of this connection runs (its I/O thread). */
    Executor executor();

    /** Who the client authenticated as (SASL or a TLS client certificate); ANONYMOUS when it did not. */
    default KafkaPrincipal principal() {
        return KafkaPrincipal.ANONYMOUS;
    }

    /** The name of the listener the client came in on (Kafka's listener name, e.g. PLAINTEXT, SASL_SSL). */
    default String listenerName() {
        return "PLAINTEXT";
    }

    /** A hook given to {@link #onClose}; cancelling it forgets the hook. */
    interface Registration {
        void cancel();
    }

    /** A connection that never closes and runs work on the caller's thread: for requests made in-process. */
    Connection NONE = new Connection() {
        @Override
        public Registration onClose(Runnable onClose) {
            return () -> {};
        }

        @Override
        public Executor executor() {
            return Runnable::run;
        }
    };
}

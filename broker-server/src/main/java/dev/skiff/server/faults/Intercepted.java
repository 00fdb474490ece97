package dev.skiff.server.faults;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Carries out a {@link Decision} for the server: turns it into the answer the connection will send. */
public final class Intercepted {

    /**
     * The answer to queue for this request, or null when the connection was dropped at once. A drop after a
     * delay returns an answer that never comes, so nothing queued behind it is written before the close.
     *
     * @param loop the connection's event loop, which runs the timers
     * @param drop closes the connection
     */
    public static CompletableFuture<ApiMessage> answer(Decision d, Broker broker, RequestContext ctx, ApiMessage request,
                                                       ScheduledExecutorService loop, Runnable drop) {
        switch (d.kind()) {
            case DROP_CONNECTION -> {
                if (d.delayMillis() == 0) {
                    drop.run();
                    return null;
                }
                loop.schedule(drop, d.delayMillis(), TimeUnit.MILLISECONDS);
                return new CompletableFuture<>();
            }
            case RESPOND_WITH_ERROR -> {
                return delayed(ErrorResponses.answer(broker, ctx, request, d.error(), d.topic()), d.delayMillis(), loop);
            }
            default -> {
                return delayed(broker.handle(ctx, request), d.delayMillis(), loop);
            }
        }
    }

    /** Completes no sooner than {@code delayMillis} after now (the request's arrival), and no sooner than the answer. */
    private static CompletableFuture<ApiMessage> delayed(CompletableFuture<ApiMessage> answer, long delayMillis,
                                                         ScheduledExecutorService loop) {
        if (delayMillis == 0) return answer;
        CompletableFuture<Void> timer = new CompletableFuture<>();
        loop.schedule(() -> timer.complete(null), delayMillis, TimeUnit.MILLISECONDS);
        return answer.thenCombine(timer, (r, x) -> r);
    }

    private Intercepted() {}
}

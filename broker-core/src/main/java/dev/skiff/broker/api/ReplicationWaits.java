package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Answers a request whose partitions wait for their replicas (an acks=-1 Produce or a WriteTxnMarkers for the
 * high watermark, a DeleteRecords for the low watermark): once every wait is done, those still waiting at the
 * request's timeout with REQUEST_TIMED_OUT, and not at all when the client left first. The answer goes out on
 * the connection's executor.
 */
final class ReplicationWaits {

    private ReplicationWaits() {}

    /**
     * One partition's wait: {@code done} completes with its outcome, {@code cancel} forgets it at the partition
     * (timed out, client gone), {@code record} puts the outcome into the answer.
     */
    record Wait(CompletableFuture<Errors> done, Runnable cancel, Consumer<Errors> record) {}

    static CompletableFuture<ApiMessage> answerWhenDone(
            RequestContext ctx, ScheduledExecutorService timer, int timeoutMs, ApiMessage response, List<Wait> waits) {
        CompletableFuture<ApiMessage> answer = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(waits.size());
        ScheduledFuture<?> timeout = timer.schedule(
                () -> waits.forEach(w -> {
                    w.cancel().run();
                    w.done().complete(Errors.REQUEST_TIMED_OUT);
                }),
                Math.max(0, timeoutMs),
                TimeUnit.MILLISECONDS);
        var closeHook = ctx.connection().onClose(() -> {
            timeout.cancel(false);
            waits.forEach(w -> w.cancel().run());
            answer.cancel(false);
        });
        for (Wait w : waits) {
            w.done().thenAccept(error -> {
                w.record().accept(error);
                if (left.decrementAndGet() == 0) {
                    timeout.cancel(false);
                    closeHook.cancel();
                    try {
                        ctx.connection().executor().execute(() -> answer.complete(response));
                    } catch (RejectedExecutionException e) {
                        answer.cancel(false);
                    }
                }
            });
        }
        return answer;
    }
}

package dev.skiff.broker.txn;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * PRODUCER_FENCED exists from InitProducerId v4, AddPartitionsToTxn v2, AddOffsetsToTxn v2, EndTxn v2 and
 * TxnOffsetCommit v3 on (KIP-588); older versions are told INVALID_PRODUCER_EPOCH, as Kafka does.
 */
public final class FencedErrors {

    private FencedErrors() {}

    public static Errors forVersion(Errors e, short version, int fencedSince) {
        return e == Errors.PRODUCER_FENCED && version < fencedSince ? Errors.INVALID_PRODUCER_EPOCH : e;
    }

    /** {@code e} as a client of {@code version} is told it. */
    public static ApiException forVersion(ApiException e, short version, int fencedSince) {
        Errors told = forVersion(e.error(), version, fencedSince);
        return told == e.error() ? e : new ApiException(told, e.getMessage());
    }
}

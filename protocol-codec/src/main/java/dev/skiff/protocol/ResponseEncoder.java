package dev.skiff.protocol;

import dev.skiff.protocol.message.ResponseHeaderData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;

/** Turns a response body into a complete frame: size, the header of the right version, then the body. */
public final class ResponseEncoder {

    private final ByteBufAllocator alloc;

    public ResponseEncoder() {
        this(UnpooledByteBufAllocator.DEFAULT);
    }

    public ResponseEncoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    public ResponseFrame encode(int correlationId, ApiKeys api, short version, ApiMessage body) {
        return encode(correlationId, api.responseHeaderVersion(version), version, body);
    }

    /** For a caller that picked the header version itself (e.g. an ApiVersions answer to an unsupported version). */
    public ResponseFrame encode(int correlationId, short headerVersion, short version, ApiMessage body) {
        ProtocolWriter out = new ProtocolWriter(alloc);
        List<Object> pieces;
        try {
            out.writeInt32(0); // the size, filled in below
            new ResponseHeaderData().setCorrelationId(correlationId).write(out, headerVersion);
            body.write(out, version);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        long size = out.size();
        pieces = out.finish();
        if (size - 4 > Integer.MAX_VALUE) {
            for (Object p : pieces) io.netty.util.ReferenceCountUtil.release(p);
            throw new ProtocolException("Response of " + size + " bytes does not fit a frame");
        }
        ByteBuf first = (ByteBuf) pieces.get(0);
        first.setInt(first.readerIndex(), (int) (size - 4));
        return new ResponseFrame(pieces, size);
    }
}

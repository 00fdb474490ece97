package dev.skiff.protocol.records;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the body of one v2 record (everything after its length varint):
 * attributes int8, timestampDelta varlong, offsetDelta varint, key, value, headers.
 */
final class RecordDecoder {
    /** Attributes byte plus five one-byte varints: the smallest possible record body. */
    static final int MIN_BODY_SIZE = 6;

    private RecordDecoder() {}

    /**
     * @param in positioned at the body; {@code end} is where the body must end
     * @param logAppendTime the batch max timestamp if the batch uses log append time, else {@code null}
     */
    static Record decodeBody(ByteBuffer in, int end, long baseOffset, long baseTimestamp, Long logAppendTime) {
        ByteBuffer body = in.duplicate().limit(end);
        body.get(); // attributes: unused in v2
        long timestampDelta = Varints.readVarlong(body);
        int offsetDelta = Varints.readVarint(body);
        ByteBuffer key = readBytes(body, "key");
        ByteBuffer value = readBytes(body, "value");
        int headerCount = Varints.readVarint(body);
        if (headerCount < 0 || headerCount > body.remaining() / 2) {
            throw new CorruptRecordException("Invalid header count " + headerCount);
        }
        List<Header> headers;
        if (headerCount == 0) {
            headers = List.of();
        } else {
            headers = new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                ByteBuffer hk = readBytes(body, "header key");
                if (hk == null) throw new CorruptRecordException("Null header key");
                headers.add(new Header(utf8(hk), readBytes(body, "header value")));
            }
        }
        if (body.hasRemaining())
            throw new CorruptRecordException("Record has " + body.remaining() + " bytes beyond its fields");
        in.position(end);
        long timestamp = logAppendTime != null ? logAppendTime : baseTimestamp + timestampDelta;
        return new Record(baseOffset + offsetDelta, timestamp, key, value, headers);
    }

    private static ByteBuffer readBytes(ByteBuffer in, String what) {
        int len = Varints.readVarint(in);
        if (len < 0) {
            if (len != -1) throw new CorruptRecordException("Invalid " + what + " length " + len);
            return null;
        }
        if (len > in.remaining()) throw new CorruptRecordException(what + " length " + len + " exceeds the record");
        ByteBuffer out = in.slice(in.position(), len).asReadOnlyBuffer();
        in.position(in.position() + len);
        return out;
    }

    private static String utf8(ByteBuffer b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b.duplicate())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CorruptRecordException("Header key is not valid UTF-8");
        }
    }
}

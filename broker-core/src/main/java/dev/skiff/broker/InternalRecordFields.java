package dev.skiff.broker;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The field encodings of Kafka's internal-topic records (offsets, group metadata, transaction state), which
 * Skiff writes in Kafka's own layouts: strings with an int16 length (-1 for null), bytes with an int32 length.
 */
public final class InternalRecordFields {

    private InternalRecordFields() {}

    public static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeShort(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    /** Writes null as empty: Kafka's group metadata has no null bytes fields. */
    public static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        byte[] v = b == null ? new byte[0] : b;
        out.writeInt(v.length);
        out.write(v);
    }

    public static String readString(ByteBuffer b) {
        short n = b.getShort();
        if (n < 0) return null;
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    public static byte[] readBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0) return null;
        byte[] s = new byte[n];
        b.get(s);
        return s;
    }
}

package dev.skiff.protocol.types;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** Kafka's 128-bit id (topic ids, directory ids); printed URL-safe base64 like Kafka does. */
public record Uuid(long mostSignificantBits, long leastSignificantBits) {

    public static final Uuid ZERO = new Uuid(0, 0);

    public static Uuid random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Uuid id;
        do {
            id = new Uuid(r.nextLong(), r.nextLong());
        } while (id.equals(ZERO) || id.toString().startsWith("-"));
        return id;
    }

    public static Uuid fromString(String s) {
        ByteBuffer b = ByteBuffer.wrap(Base64.getUrlDecoder().decode(s));
        return new Uuid(b.getLong(), b.getLong());
    }

    @Override
    public String toString() {
        ByteBuffer b = ByteBuffer.allocate(16).putLong(mostSignificantBits).putLong(leastSignificantBits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }
}

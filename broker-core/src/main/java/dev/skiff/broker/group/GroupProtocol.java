package dev.skiff.broker.group;

import java.util.Arrays;

/** A protocol a member supports, with its metadata (for protocol type "consumer": the subscription). */
public record GroupProtocol(String name, byte[] metadata) {

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupProtocol p && p.name.equals(name) && Arrays.equals(p.metadata, metadata);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return name + "(" + (metadata == null ? 0 : metadata.length) + " bytes)";
    }
}

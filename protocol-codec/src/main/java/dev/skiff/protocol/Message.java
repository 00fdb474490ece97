package dev.skiff.protocol;

/** A generated message or struct: it writes itself in a given version. */
public interface Message {
    void write(ProtocolWriter out, short version);
}

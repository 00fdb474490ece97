package dev.skiff.protocol;

/** A request for an API key Skiff does not know; Kafka closes the connection in this case. */
public final class UnknownApiKeyException extends ProtocolException {

    private final short apiKey;
    private final short version;
    private final int correlationId;

    public UnknownApiKeyException(short apiKey, short version, int correlationId) {
        super("Unknown API key " + apiKey + " (version " + version + ", correlation id " + correlationId + ")");
        this.apiKey = apiKey;
        this.version = version;
        this.correlationId = correlationId;
    }

    public short apiKey() {
        return apiKey;
    }

    public short version() {
        return version;
    }

    public int correlationId() {
        return correlationId;
    }
}

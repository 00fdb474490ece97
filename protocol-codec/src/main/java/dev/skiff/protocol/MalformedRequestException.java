package dev.skiff.protocol;

/**
 * A request whose header or body does not parse. The api and correlation id are known when the first
 * 8 bytes were there (else api is null and the correlation id -1), so the server can log what it was.
 */
public final class MalformedRequestException extends ProtocolException {

    private final ApiKeys api;
    private final short version;
    private final int correlationId;

    public MalformedRequestException(String message, ApiKeys api, short version, int correlationId, Throwable cause) {
        super(message, cause);
        this.api = api;
        this.version = version;
        this.correlationId = correlationId;
    }

    public ApiKeys api() {
        return api;
    }

    public short version() {
        return version;
    }

    public int correlationId() {
        return correlationId;
    }
}

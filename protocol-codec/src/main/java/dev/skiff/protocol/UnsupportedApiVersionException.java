package dev.skiff.protocol;

/**
 * A known API in a version Skiff does not support. Carries the correlation id so the server can still
 * answer (Kafka answers ApiVersions with UNSUPPORTED_VERSION in a v0 response and the supported versions).
 */
public final class UnsupportedApiVersionException extends ProtocolException {

    private final ApiKeys api;
    private final short version;
    private final int correlationId;

    public UnsupportedApiVersionException(ApiKeys api, short version, int correlationId) {
        super(api + " version " + version + " is not supported (supported: " + api.lowestVersion() + "-"
                + api.highestVersion() + ", correlation id " + correlationId + ")");
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

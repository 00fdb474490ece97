package dev.skiff.protocol;

import dev.skiff.protocol.message.RequestHeaderData;

/**
 * One parsed request. The body may hold slices of the frame (records), so it is valid only while the
 * frame is: until the handler releases it.
 */
public record DecodedRequest(
        ApiKeys api, short version, int correlationId, String clientId, ApiMessage body, RequestHeaderData header) {

    /** The response header version the answer must use. */
    public short responseHeaderVersion() {
        return api.responseHeaderVersion(version);
    }
}

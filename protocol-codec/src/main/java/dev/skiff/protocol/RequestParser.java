package dev.skiff.protocol;

import dev.skiff.protocol.message.RequestHeaderData;
import io.netty.buffer.ByteBuf;

/**
 * Parses one request frame (without its size prefix): the header, then the body of the API and version
 * the header names. Failures are distinct: {@link UnknownApiKeyException}, {@link UnsupportedApiVersionException}
 * (with the correlation id, to answer), {@link MalformedRequestException}; all are ProtocolExceptions.
 */
public final class RequestParser {

    private RequestParser() {}

    public static DecodedRequest parse(ByteBuf frame) {
        int start = frame.readerIndex();
        if (frame.readableBytes() < 8) {
            throw new MalformedRequestException(
                    "Request of " + frame.readableBytes() + " bytes has no header", null, (short) -1, -1, null);
        }
        short apiKey = frame.getShort(start);
        short version = frame.getShort(start + 2);
        int correlationId = frame.getInt(start + 4);
        ApiKeys api = ApiKeys.forId(apiKey);
        if (api == null) {
            throw new UnknownApiKeyException(apiKey, version, correlationId);
        }
        if (!api.isVersionSupported(version)) {
            throw new UnsupportedApiVersionException(api, version, correlationId);
        }
        try {
            RequestHeaderData header = new RequestHeaderData(frame, api.requestHeaderVersion(version));
            ApiMessage body = api.parseRequest(frame, version);
            return new DecodedRequest(api, version, correlationId, header.clientId(), body, header);
        } catch (ProtocolException e) {
            throw new MalformedRequestException(
                    "Malformed " + api + " v" + version + " request: " + e.getMessage(),
                    api,
                    version,
                    correlationId,
                    e);
        }
    }
}

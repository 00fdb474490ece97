package dev.skiff.protocol;

/** A top-level generated message: the body of a request or response of one API, or a header (api key -1). */
public interface ApiMessage extends Message {

    short apiKey();

    short lowestSupportedVersion();

    short highestSupportedVersion();
}

package dev.skiff.server.control;

import dev.skiff.protocol.ApiMessage;

/**
 * Looks at each decoded request of one API before the broker does and decides its fate (see {@link Reply}).
 * Runs on the connection's event loop, so it must not block. Throwing is allowed: an
 * {@link dev.skiff.protocol.ApiException} answers with its error code, anything else with
 * UNKNOWN_SERVER_ERROR, as when a handler throws.
 */
@FunctionalInterface
public interface RequestControl {

    /** The fate of this request, or null to leave it to the next control and then the broker (not counted). */
    Reply control(ControlContext context, ApiMessage request);
}

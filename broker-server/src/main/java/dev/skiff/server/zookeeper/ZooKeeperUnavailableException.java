package dev.skiff.server.zookeeper;

/**
 * ZooKeeper could not be reached in time, or refused an operation. An IllegalStateException, so request
 * handlers answer it as a coordinator that is not available.
 */
public final class ZooKeeperUnavailableException extends IllegalStateException {
    ZooKeeperUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

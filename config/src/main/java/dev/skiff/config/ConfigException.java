package dev.skiff.config;

/** A setting that cannot be used; its message is shown to the user as it is. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}

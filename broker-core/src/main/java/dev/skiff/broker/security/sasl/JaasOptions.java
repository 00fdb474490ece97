package dev.skiff.broker.security.sasl;

import dev.skiff.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the options of a {@code sasl.jaas.config} value, Kafka's one-line JAAS form:
 * {@code <LoginModule class> <required|requisite|sufficient|optional> key="value" key2=value2 ;}. Values may be
 * quoted (with backslash escapes) or bare. Only one login module is allowed, as Kafka allows.
 */
final class JaasOptions {

    /** The login module's class name and its options, in order. */
    record Entry(String loginModule, Map<String, String> options) {}

    private final String text;
    private final String key;
    private int pos;

    private JaasOptions(String text, String key) {
        this.text = text;
        this.key = key;
    }

    static Entry parse(String key, String value) {
        return new JaasOptions(value, key).entry();
    }

    private Entry entry() {
        String module = word();
        if (module.isEmpty()) throw error("no login module");
        String flag = word();
        if (!flag.matches("(?i)required|requisite|sufficient|optional"))
            throw error("login module control flag must be required, requisite, sufficient or optional, got '" + flag
                    + "'");
        Map<String, String> options = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (pos >= text.length()) throw error("missing ';' at the end");
            if (text.charAt(pos) == ';') {
                pos++;
                break;
            }
            String name = word();
            skipSpace();
            if (name.isEmpty() || pos >= text.length() || text.charAt(pos) != '=')
                throw error("expected key=value at position " + pos);
            pos++;
            skipSpace();
            options.put(name, value());
        }
        skipSpace();
        if (pos < text.length()) throw error("only one login module is allowed");
        return new Entry(module, options);
    }

    private String word() {
        skipSpace();
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isWhitespace(c) || c == '=' || c == ';' || c == '"') break;
            pos++;
        }
        return text.substring(start, pos);
    }

    private String value() {
        if (pos < text.length() && text.charAt(pos) == '"') {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') return sb.toString();
                if (c == '\\' && pos < text.length()) c = text.charAt(pos++);
                sb.append(c);
            }
            throw error("unterminated quoted value");
        }
        String w = word();
        if (w.isEmpty()) throw error("empty value at position " + pos);
        return w;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private ConfigException error(String what) {
        // never echo the value: it holds passwords
        return new ConfigException(key + " is not a valid JAAS configuration: " + what);
    }
}

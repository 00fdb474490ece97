package dev.skiff.server.security;

import dev.skiff.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's {@code ssl.principal.mapping.rules}: a list of {@code RULE:pattern/replacement/[LU]} and
 * {@code DEFAULT}, tried in order on the client certificate's distinguished name (RFC 2253 form); the first
 * that matches names the principal, {@code DEFAULT} keeps the whole name. No rule matching is an error, as in
 * Kafka (the connection fails to authenticate).
 */
public final class PrincipalMapper {

    private static final Pattern RULE = Pattern.compile(
            "\\s*((DEFAULT)|RULE:((\\\\.|[^\\\\/])*)/((\\\\.|[^\\\\/])*)/([LU]?).*?|(.*?))\\s*(,\\s*|$)");

    private record Rule(Pattern pattern, String replacement, boolean lower, boolean upper) {
        String apply(String dn) {
            if (pattern == null) return dn;
            Matcher m = pattern.matcher(dn);
            if (!m.matches()) return null;
            String out = m.replaceAll(replacement);
            if (lower) return out.toLowerCase(Locale.ENGLISH);
            if (upper) return out.toUpperCase(Locale.ENGLISH);
            return out;
        }
    }

    private final List<Rule> rules;

    private PrincipalMapper(List<Rule> rules) {
        this.rules = rules;
    }

    public static PrincipalMapper parse(String rules) {
        List<Rule> out = new ArrayList<>();
        if (rules == null || rules.isBlank()) rules = "DEFAULT";
        Matcher m = RULE.matcher(rules.trim());
        while (m.find() && m.end() > m.start()) {
            if (m.group(2) != null) {
                out.add(new Rule(null, null, false, false));
            } else if (m.group(3) != null) {
                String flags = m.group(7);
                out.add(new Rule(
                        Pattern.compile(m.group(3).replace("\\/", "/")),
                        m.group(5).replace("\\/", "/"),
                        "L".equals(flags),
                        "U".equals(flags)));
            } else if (m.group(8) != null && !m.group(8).isBlank()) {
                throw new ConfigException("invalid ssl.principal.mapping.rules entry: " + m.group(8));
            }
            if (m.end() >= rules.trim().length()) break;
        }
        if (out.isEmpty()) out.add(new Rule(null, null, false, false));
        return new PrincipalMapper(List.copyOf(out));
    }

    /** The principal name for a certificate subject, or null when no rule matches. */
    public String map(String distinguishedName) {
        for (Rule r : rules) {
            String name = r.apply(distinguishedName);
            if (name != null) return name;
        }
        return null;
    }
}

package dev.skiff.broker.security.acl;

/**
 * One ACL: who ({@code principal} as "User:alice", or "User:*"), from where ({@code host}, or "*"), may or may
 * not ({@code permission}) do what ({@code operation}) on which resources ({@code type}, {@code name},
 * {@code pattern}: a LITERAL name, "*" for all, or a PREFIXED name).
 */
public record AclBinding(
        ResourceType type,
        String name,
        PatternType pattern,
        String principal,
        String host,
        AclOperation operation,
        AclPermissionType permission) {

    public static final String WILDCARD = "*";

    /** Whether this ACL's resource pattern covers the resource {@code type:resourceName}. */
    public boolean coversResource(ResourceType t, String resourceName) {
        if (type != t) return false;
        return switch (pattern) {
            case LITERAL -> name.equals(WILDCARD) || name.equals(resourceName);
            case PREFIXED -> resourceName.startsWith(name);
            default -> false;
        };
    }

    /** Whether this ACL applies to the principal (exact, or the "User:*" wildcard) and host (exact, or "*"). */
    public boolean appliesTo(String principalString, String wildcardPrincipal, String fromHost) {
        boolean who = principal.equals(principalString) || principal.equals(wildcardPrincipal);
        boolean where = host.equals(WILDCARD) || host.equals(fromHost);
        return who && where;
    }

    /** Bytes of its strings (charged against the per-ACL cap). */
    public int stringBytes() {
        return utf8(name) + utf8(principal) + utf8(host);
    }

    private static int utf8(String s) {
        return s == null ? 0 : s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}

package dev.skiff.broker.security.acl;

/**
 * What DescribeAcls and DeleteAcls select, with Kafka's filter semantics: ANY (or a null string) matches every
 * value; pattern type ANY matches ACLs of every pattern type with exactly this name; MATCH matches every ACL
 * that applies to the named resource (the literal name, the "*" wildcard, and every prefix of it).
 */
public record AclBindingFilter(
        ResourceType type,
        String name,
        PatternType pattern,
        String principal,
        String host,
        AclOperation operation,
        AclPermissionType permission) {

    public static final AclBindingFilter ANY = new AclBindingFilter(
            ResourceType.ANY, null, PatternType.ANY, null, null, AclOperation.ANY, AclPermissionType.ANY);

    /** Why this filter cannot be used (Kafka answers INVALID_REQUEST), or null when it can. */
    public String invalidReason() {
        if (type == ResourceType.UNKNOWN) return "Resource type is unknown";
        if (pattern == PatternType.UNKNOWN) return "Pattern type is unknown";
        if (operation == AclOperation.UNKNOWN) return "Operation is unknown";
        if (permission == AclPermissionType.UNKNOWN) return "Permission type is unknown";
        if (pattern == PatternType.MATCH && name == null) return "MATCH filters need a resource name";
        return null;
    }

    public boolean matches(AclBinding b) {
        if (type != ResourceType.ANY && type != b.type()) return false;
        if (!patternMatches(b)) return false;
        if (principal != null && !principal.equals(b.principal())) return false;
        if (host != null && !host.equals(b.host())) return false;
        if (operation != AclOperation.ANY && operation != b.operation()) return false;
        return permission == AclPermissionType.ANY || permission == b.permission();
    }

    private boolean patternMatches(AclBinding b) {
        switch (pattern) {
            case ANY:
                return name == null || name.equals(b.name());
            case MATCH:
                if (b.pattern() == PatternType.LITERAL)
                    return b.name().equals(name) || b.name().equals(AclBinding.WILDCARD);
                return b.pattern() == PatternType.PREFIXED && name.startsWith(b.name());
            case LITERAL:
            case PREFIXED:
                return b.pattern() == pattern && (name == null || name.equals(b.name()));
            default:
                return false;
        }
    }
}

package dev.skiff.broker.security.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ACLs written in one line, for tests and embedding ({@code @Skiff(acls = ...)},
 * {@code EmbeddedSkiff.Builder.acl(String)}):
 *
 * <pre>
 * PRINCIPAL ALLOW|DENY OPERATION[,OPERATION...] TYPE[:NAME] [PREFIXED|LITERAL] [HOST:HOST]
 * </pre>
 *
 * <ul>
 * <li>PRINCIPAL: {@code User:alice}; a bare {@code alice} means {@code User:alice}, and {@code *} everyone
 *     ({@code User:*});
 * <li>OPERATION: Kafka's names (READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS,
 *     ALTER_CONFIGS, IDEMPOTENT_WRITE, CREATE_TOKENS, DESCRIBE_TOKENS, TWO_PHASE_COMMIT, ALL), in any case, with
 *     {@code -} or kafka-acls' CamelCase ({@code DescribeConfigs}) also accepted; several, comma-separated, give
 *     one ACL each;
 * <li>TYPE: TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN or USER (same spellings); NAME is the
 *     resource name, {@code *} for all of that type; CLUSTER needs no name ({@code kafka-cluster});
 * <li>PREFIXED makes NAME a prefix (LITERAL, the default, an exact name); HOST:10.0.0.1 limits the ACL to one
 *     client address (default: any host).
 * </ul>
 *
 * Examples: {@code "User:alice ALLOW READ TOPIC:orders"}, {@code "bob ALLOW WRITE,DESCRIBE TOPIC:orders- PREFIXED"},
 * {@code "User:alice ALLOW READ GROUP:*"}, {@code "* DENY ALL TOPIC:secrets"}, {@code "admin ALLOW ALL CLUSTER"}.
 * Names cannot contain spaces in this form.
 */
public final class AclSpecs {

    private static final String FORM = "PRINCIPAL ALLOW|DENY OPERATION[,OPERATION...] TYPE[:NAME] [PREFIXED] [HOST:h]";

    private AclSpecs() {}

    /** The ACLs one line describes (one per operation), or IllegalArgumentException saying what is wrong. */
    public static List<AclBinding> parse(String spec) {
        if (spec == null) throw new IllegalArgumentException("ACL spec is null; expected " + FORM);
        String[] words = spec.trim().split("\\s+");
        if (words.length < 4 || words.length > 6)
            throw new IllegalArgumentException("ACL \"" + spec + "\" must read " + FORM);
        String principal = principal(words[0], spec);
        AclPermissionType permission = permission(words[1], spec);
        List<AclOperation> operations = new ArrayList<>();
        for (String op : words[2].split(",", -1)) operations.add(operation(op, spec));

        String resource = words[3];
        int colon = resource.indexOf(':');
        ResourceType type = type(colon < 0 ? resource : resource.substring(0, colon), spec);
        String name = colon < 0 ? null : resource.substring(colon + 1);
        if (type == ResourceType.CLUSTER && (name == null || name.isEmpty())) name = ResourceType.CLUSTER_NAME;
        if (name == null || name.isEmpty())
            throw new IllegalArgumentException("ACL \"" + spec + "\": " + type + " needs a name, as " + type
                    + ":name (or " + type + ":* for all)");

        PatternType pattern = PatternType.LITERAL;
        String host = AclBinding.WILDCARD;
        for (int i = 4; i < words.length; i++) {
            String w = words[i];
            String upper = w.toUpperCase(Locale.ROOT);
            if (upper.equals("PREFIXED")) pattern = PatternType.PREFIXED;
            else if (upper.equals("LITERAL")) pattern = PatternType.LITERAL;
            else if (upper.startsWith("HOST:") && w.length() > 5) host = w.substring(5);
            else
                throw new IllegalArgumentException(
                        "ACL \"" + spec + "\": \"" + w + "\" is neither PREFIXED, LITERAL nor HOST:<host>");
        }
        if (pattern == PatternType.PREFIXED && name.equals(AclBinding.WILDCARD))
            throw new IllegalArgumentException("ACL \"" + spec + "\": a PREFIXED pattern cannot be *");

        List<AclBinding> out = new ArrayList<>();
        for (AclOperation op : operations) {
            if (op != AclOperation.ALL && !AclOperation.supportedBy(type).contains(op))
                throw new IllegalArgumentException("ACL \"" + spec + "\": " + op + " does not apply to " + type
                        + " (it takes " + AclOperation.supportedBy(type) + " or ALL)");
            out.add(new AclBinding(type, name, pattern, principal, host, op, permission));
        }
        return out;
    }

    private static String principal(String word, String spec) {
        if (word.equals(AclBinding.WILDCARD)) return "User:*";
        int colon = word.indexOf(':');
        if (colon < 0) return "User:" + word;
        if (colon == 0 || colon == word.length() - 1)
            throw new IllegalArgumentException("ACL \"" + spec + "\": principal \"" + word + "\" must be Type:name");
        return word;
    }

    private static AclPermissionType permission(String word, String spec) {
        return switch (word.toUpperCase(Locale.ROOT)) {
            case "ALLOW" -> AclPermissionType.ALLOW;
            case "DENY" -> AclPermissionType.DENY;
            default ->
                throw new IllegalArgumentException(
                        "ACL \"" + spec + "\": \"" + word + "\" must be ALLOW or DENY (after the principal)");
        };
    }

    private static AclOperation operation(String word, String spec) {
        String name = constant(word);
        for (AclOperation op : AclOperation.values())
            if (op.concrete() && op.name().equals(name)) return op;
        throw new IllegalArgumentException("ACL \"" + spec + "\": unknown operation \"" + word + "\"");
    }

    private static ResourceType type(String word, String spec) {
        String name = constant(word);
        for (ResourceType t : ResourceType.values())
            if (t.concrete() && t.name().equals(name)) return t;
        throw new IllegalArgumentException("ACL \"" + spec + "\": unknown resource type \"" + word
                + "\" (TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID, DELEGATION_TOKEN, USER)");
    }

    /** "DescribeConfigs", "describe-configs" and "DESCRIBE_CONFIGS" all become DESCRIBE_CONFIGS. */
    private static String constant(String word) {
        String snake = word.replaceAll("([a-z])([A-Z])", "$1_$2").replace('-', '_');
        return snake.toUpperCase(Locale.ROOT);
    }
}

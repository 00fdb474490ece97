package dev.skiff.broker.security.acl;

import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * ACLs with Kafka's model (StandardAuthorizer): a request is allowed when the principal is a super user, or when
 * an ALLOW ACL covers it and no DENY ACL does (deny wins). An ACL covers a resource through its pattern (a
 * LITERAL name, the literal "*", or a PREFIXED name), its principal (exact or "User:*"), its host (exact or "*")
 * and its operation (ALL, the operation itself, and for ALLOW the implied DESCRIBE and DESCRIBE_CONFIGS). A
 * resource no ACL names at all is allowed only with {@code allow.everyone.if.no.acl.found=true}.
 *
 * <p>Changes are written to the journal first and applied after ({@link AclJournal}); the ACLs at start are
 * the journal replayed. Caps: {@code skiff.acls.max} ACLs in all, {@code skiff.acl.max.bytes} of strings per
 * ACL.
 */
public final class AclAuthorizer implements Authorizer, AutoCloseable {

    /** The authorizer.class.name values that turn ACLs on: Kafka's two, and this class. */
    public static final Set<String> CLASS_NAMES = Set.of(
            "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "kafka.security.authorizer.AclAuthorizer",
            AclAuthorizer.class.getName());

    public static final String CLASS_NAME_KEY = "authorizer.class.name";
    public static final String SUPER_USERS_KEY = "super.users";
    public static final String ALLOW_IF_NO_ACL_KEY = "allow.everyone.if.no.acl.found";
    public static final String MAX_ACLS_KEY = "skiff.acls.max";
    public static final String MAX_BYTES_KEY = "skiff.acl.max.bytes";

    /** The journal's place under the data dir. */
    public static Path journalPath(Path dataDir) {
        return dataDir.resolve(".skiff").resolve("acls");
    }

    private final Set<String> superUsers;
    private final boolean allowIfNoAcl;
    private final int maxAcls;
    private final int maxBytes;
    private final AclJournal journal; // null in memory
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<AclBinding> all = new LinkedHashSet<>();
    /** ACLs by (type, name, pattern) of their resource pattern. */
    private final Map<PatternKey, List<AclBinding>> byPattern = new HashMap<>();

    private record PatternKey(ResourceType type, String name, PatternType pattern) {}

    /** The broker's authorizer: ACLs when {@code authorizer.class.name} names one Skiff knows, else allow-all. */
    public static Authorizer fromConfig(BrokerConfig config, boolean persistent) {
        String cls = config.get(CLASS_NAME_KEY);
        if (cls == null || cls.isBlank()) return Authorizer.ALLOW_ALL;
        if (!CLASS_NAMES.contains(cls.trim()))
            throw new ConfigException(CLASS_NAME_KEY + " names an authorizer Skiff does not have: " + cls
                    + " (use org.apache.kafka.metadata.authorizer.StandardAuthorizer)");
        return new AclAuthorizer(config, persistent ? journalPath(config.dataDir) : null);
    }

    public AclAuthorizer(BrokerConfig config, Path journalFile) {
        this.superUsers = parseSuperUsers(config.get(SUPER_USERS_KEY));
        this.allowIfNoAcl = bool(config.get(ALLOW_IF_NO_ACL_KEY), ALLOW_IF_NO_ACL_KEY);
        this.maxAcls = positive(config.get(MAX_ACLS_KEY), 100_000, MAX_ACLS_KEY);
        this.maxBytes = positive(config.get(MAX_BYTES_KEY), 8192, MAX_BYTES_KEY);
        if (journalFile == null) {
            this.journal = null;
        } else {
            List<AclJournal.Change> changes = AclJournal.none();
            this.journal = AclJournal.open(journalFile, changes);
            for (AclJournal.Change c : changes) {
                if (c.kind() == AclJournal.ADD) add(c.binding());
                else remove(c.binding());
            }
            journal.compactIfWasteful(all);
        }
    }

    private static Set<String> parseSuperUsers(String s) {
        if (s == null || s.isBlank()) return Set.of();
        return Arrays.stream(s.split(";"))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    private static boolean bool(String s, String key) {
        if (s == null || s.isBlank()) return false;
        if (s.trim().equalsIgnoreCase("true")) return true;
        if (s.trim().equalsIgnoreCase("false")) return false;
        throw new ConfigException(key + " must be true or false: " + s);
    }

    private static int positive(String s, int def, String key) {
        if (s == null || s.isBlank()) return def;
        try {
            int n = Integer.parseInt(s.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException(key + " must be a positive number: " + s);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    public boolean isSuperUser(KafkaPrincipal principal) {
        return superUsers.contains(principal.toString());
    }

    @Override
    public boolean authorize(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name) {
        if (isSuperUser(principal)) return true;
        String who = principal.toString();
        String anyone = principal.type() + ":*";
        boolean found = false;
        boolean allowed = false;
        lock.readLock().lock();
        try {
            List<List<AclBinding>> lists = new ArrayList<>(4);
            addIfPresent(lists, new PatternKey(type, name, PatternType.LITERAL));
            addIfPresent(lists, new PatternKey(type, AclBinding.WILDCARD, PatternType.LITERAL));
            for (int i = 1; i <= name.length(); i++)
                addIfPresent(lists, new PatternKey(type, name.substring(0, i), PatternType.PREFIXED));
            for (List<AclBinding> list : lists) {
                found = true;
                for (AclBinding acl : list) {
                    if (!acl.appliesTo(who, anyone, host)) continue;
                    if (acl.permission() == AclPermissionType.DENY) {
                        if (acl.operation().denyImplies(operation)) return false;
                    } else if (acl.operation().allowImplies(operation)) {
                        allowed = true;
                    }
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        return allowed || (!found && allowIfNoAcl);
    }

    private void addIfPresent(List<List<AclBinding>> lists, PatternKey key) {
        List<AclBinding> l = byPattern.get(key);
        if (l != null && !l.isEmpty()) lists.add(l);
    }

    @Override
    public boolean authorizeByResourceType(
            KafkaPrincipal principal, String host, AclOperation operation, ResourceType type) {
        if (isSuperUser(principal)) return true;
        String who = principal.toString();
        String anyone = principal.type() + ":*";
        lock.readLock().lock();
        try {
            List<AclBinding> allows = new ArrayList<>();
            List<AclBinding> denies = new ArrayList<>();
            boolean anyOfType = false;
            for (AclBinding acl : all) {
                if (acl.type() != type) continue;
                anyOfType = true;
                if (!acl.appliesTo(who, anyone, host)) continue;
                if (acl.permission() == AclPermissionType.DENY
                        && acl.operation().denyImplies(operation)) denies.add(acl);
                else if (acl.permission() == AclPermissionType.ALLOW
                        && acl.operation().allowImplies(operation)) allows.add(acl);
            }
            for (AclBinding d : denies)
                if (d.pattern() == PatternType.LITERAL && d.name().equals(AclBinding.WILDCARD)) return false;
            for (AclBinding a : allows) {
                boolean denied = false;
                for (AclBinding d : denies) {
                    boolean covers = d.pattern() == PatternType.LITERAL
                            ? a.pattern() == PatternType.LITERAL && d.name().equals(a.name())
                            : a.name().startsWith(d.name());
                    if (covers) {
                        denied = true;
                        break;
                    }
                }
                if (!denied) return true;
            }
            return !anyOfType && allowIfNoAcl;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Why Kafka would refuse to store this ACL (INVALID_REQUEST), or null. */
    static String invalidReason(AclBinding b) {
        if (!b.type().concrete()) return "Invalid resourceType " + b.type();
        if (!b.pattern().concrete()) return "Invalid patternType " + b.pattern();
        if (!b.operation().concrete()) return "Invalid operation " + b.operation();
        if (!b.permission().concrete()) return "Invalid permissionType " + b.permission();
        if (b.name() == null || b.name().isEmpty()) return "Invalid empty resource name specified";
        if (b.type() == ResourceType.CLUSTER && !b.name().equals(ResourceType.CLUSTER_NAME))
            return "The only valid name for the CLUSTER resource is " + ResourceType.CLUSTER_NAME;
        if (b.principal() == null || b.principal().indexOf(':') <= 0)
            return "Could not parse principal from `" + b.principal() + "` (no colon is present separating the"
                    + " principal type from the principal name)";
        if (b.host() == null) return "Invalid null host";
        return null;
    }

    @Override
    public List<ApiException> createAcls(List<AclBinding> bindings) {
        List<ApiException> results = new ArrayList<>(Collections.nCopies(bindings.size(), null));
        List<AclBinding> toAdd = new ArrayList<>();
        List<Integer> toAddIndex = new ArrayList<>();
        lock.writeLock().lock();
        try {
            Set<AclBinding> pending = new LinkedHashSet<>();
            for (int i = 0; i < bindings.size(); i++) {
                AclBinding b = bindings.get(i);
                String invalid = invalidReason(b);
                if (invalid != null) {
                    results.set(i, new ApiException(Errors.INVALID_REQUEST, invalid));
                    continue;
                }
                if (b.stringBytes() > maxBytes) {
                    results.set(
                            i,
                            new ApiException(
                                    Errors.INVALID_REQUEST,
                                    "ACL is " + b.stringBytes() + " bytes, over " + MAX_BYTES_KEY + "=" + maxBytes));
                    continue;
                }
                if (all.contains(b) || pending.contains(b)) continue; // already there: success, as in Kafka
                if (all.size() + pending.size() >= maxAcls) {
                    results.set(
                            i,
                            new ApiException(
                                    Errors.POLICY_VIOLATION,
                                    "The broker holds " + maxAcls + " ACLs, its limit (" + MAX_ACLS_KEY + ")"));
                    continue;
                }
                pending.add(b);
                toAdd.add(b);
                toAddIndex.add(i);
            }
            try {
                if (journal != null) journal.append(AclJournal.ADD, toAdd);
            } catch (UncheckedIOException e) {
                for (int i : toAddIndex)
                    results.set(i, new ApiException(Errors.UNKNOWN_SERVER_ERROR, "Cannot store ACLs: " + e));
                return results;
            }
            for (AclBinding b : toAdd) add(b);
        } finally {
            lock.writeLock().unlock();
        }
        return results;
    }

    @Override
    public List<AclBinding> describeAcls(AclBindingFilter filter) {
        lock.readLock().lock();
        try {
            List<AclBinding> out = new ArrayList<>();
            for (AclBinding b : all) if (filter.matches(b)) out.add(b);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<List<AclBinding>> deleteAcls(List<AclBindingFilter> filters) {
        lock.writeLock().lock();
        try {
            List<List<AclBinding>> out = new ArrayList<>();
            Set<AclBinding> gone = new LinkedHashSet<>();
            for (AclBindingFilter f : filters) {
                List<AclBinding> matched = new ArrayList<>();
                if (f.invalidReason() == null) for (AclBinding b : all) if (f.matches(b)) matched.add(b);
                gone.addAll(matched);
                out.add(matched);
            }
            if (journal != null) journal.append(AclJournal.REMOVE, gone);
            for (AclBinding b : gone) remove(b);
            if (journal != null && !gone.isEmpty()) journal.compactIfWasteful(all);
            return out;
        } catch (UncheckedIOException e) {
            throw new ApiException(Errors.UNKNOWN_SERVER_ERROR, "Cannot store ACL removals: " + e.getMessage());
        } finally {
            lock.writeLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return all.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    private void add(AclBinding b) {
        if (all.add(b))
            byPattern
                    .computeIfAbsent(new PatternKey(b.type(), b.name(), b.pattern()), k -> new ArrayList<>())
                    .add(b);
    }

    private void remove(AclBinding b) {
        if (!all.remove(b)) return;
        PatternKey k = new PatternKey(b.type(), b.name(), b.pattern());
        List<AclBinding> l = byPattern.get(k);
        if (l != null) {
            l.remove(b);
            if (l.isEmpty()) byPattern.remove(k);
        }
    }

    @Override
    public void close() {
        if (journal != null) journal.close();
    }
}

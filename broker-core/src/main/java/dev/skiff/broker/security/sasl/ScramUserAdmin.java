package dev.skiff.broker.security.sasl;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import dev.skiff.protocol.message.AlterUserScramCredentialsResponseData;
import dev.skiff.protocol.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import dev.skiff.protocol.message.DescribeUserScramCredentialsRequestData;
import dev.skiff.protocol.message.DescribeUserScramCredentialsResponseData;
import dev.skiff.protocol.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import dev.skiff.protocol.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of DescribeUserScramCredentials and AlterUserScramCredentials, as Kafka's controller applies them
 * ({@code ScramControlManager}), over a {@link ScramCredentialStore}.
 *
 * <p>Alter, per user: a user named twice in one request (deleted twice, upserted twice, or both) answers
 * DUPLICATE_RESOURCE; an unknown mechanism UNSUPPORTED_SASL_MECHANISM; an empty name, iterations outside
 * [4096, 16384], an empty salt or salted password UNACCEPTABLE_CREDENTIAL; deleting a credential that does not
 * exist RESOURCE_NOT_FOUND. Skiff adds bounds of its own, answered UNACCEPTABLE_CREDENTIAL: names, salts and salted
 * passwords of at most {@link #MAX_FIELD_BYTES} bytes, and at most {@code skiff.sasl.scram.users.max} users. The
 * users that pass are written in one change (write first, then apply); if that write fails the whole request fails
 * and nothing changes.
 *
 * <p>Describe: no names (null or empty) describes every user; a name twice answers DUPLICATE_RESOURCE, an unknown
 * one RESOURCE_NOT_FOUND, each in its own result.
 */
public final class ScramUserAdmin {

    /** Longest user name, salt and salted password Skiff accepts (Kafka sets no bound; a heap and a file do). */
    public static final int MAX_FIELD_BYTES = 1024;

    private final ScramCredentialStore store;

    public ScramUserAdmin(ScramCredentialStore store) {
        this.store = store;
    }

    public ScramCredentialStore store() {
        return store;
    }

    public DescribeUserScramCredentialsResponseData describe(DescribeUserScramCredentialsRequestData request) {
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        Map<String, Map<ScramMechanism, ScramCredential>> all = store.all();
        if (request.users() == null || request.users().isEmpty()) {
            all.forEach((user, creds) -> response.results().add(describe(user, creds)));
            return response;
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DescribeUserScramCredentialsRequestData.UserName u : request.users())
            counts.merge(u.name(), 1, Integer::sum);
        counts.forEach((user, n) -> {
            Map<ScramMechanism, ScramCredential> creds = user == null ? null : all.get(user);
            if (n > 1) {
                response.results()
                        .add(new DescribeUserScramCredentialsResult()
                                .setUser(user)
                                .setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                                .setErrorMessage(
                                        "Cannot describe SCRAM credentials for the same user twice in a single request: "
                                                + user));
            } else if (creds == null) {
                response.results()
                        .add(new DescribeUserScramCredentialsResult()
                                .setUser(user)
                                .setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                                .setErrorMessage("Attempt to describe a user credential that does not exist: " + user));
            } else {
                response.results().add(describe(user, creds));
            }
        });
        return response;
    }

    private static DescribeUserScramCredentialsResult describe(String user, Map<ScramMechanism, ScramCredential> c) {
        DescribeUserScramCredentialsResult r = new DescribeUserScramCredentialsResult().setUser(user);
        c.forEach((mech, cred) -> r.credentialInfos()
                .add(new CredentialInfo().setMechanism(mech.type()).setIterations(cred.iterations())));
        return r;
    }

    public synchronized AlterUserScramCredentialsResponseData alter(AlterUserScramCredentialsRequestData request) {
        Map<String, ScramCredentialDeletion> deletions = new LinkedHashMap<>();
        Map<String, ScramCredentialUpsertion> upsertions = new LinkedHashMap<>();
        Map<String, ApiException> errors = new LinkedHashMap<>();
        for (ScramCredentialDeletion d : request.deletions()) {
            String name = d.name();
            if (errors.containsKey(name)) continue;
            if (deletions.remove(name) != null) {
                errors.put(name, duplicate());
                continue;
            }
            ApiException e = checkNameAndMechanism(name, d.mechanism());
            if (e == null && store.get(name, ScramMechanism.forType(d.mechanism())) == null)
                e = new ApiException(
                        Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist");
            if (e != null) errors.put(name, e);
            else deletions.put(name, d);
        }
        for (ScramCredentialUpsertion u : request.upsertions()) {
            String name = u.name();
            if (errors.containsKey(name)) continue;
            if (deletions.remove(name) != null | upsertions.remove(name) != null) {
                errors.put(name, duplicate());
                continue;
            }
            ApiException e = checkUpsertion(u);
            if (e != null) errors.put(name, e);
            else upsertions.put(name, u);
        }
        // the users cap: new users beyond it are refused, in request order
        Set<String> existing = new HashSet<>(store.all().keySet());
        int count = existing.size();
        for (String user : deletions.keySet()) {
            Map<ScramMechanism, ScramCredential> creds = store.all().get(user);
            if (creds != null && creds.size() == 1) count--;
        }
        List<ScramCredentialStore.Change> changes = new ArrayList<>();
        deletions.forEach((user, d) ->
                changes.add(new ScramCredentialStore.Change(user, ScramMechanism.forType(d.mechanism()), null)));
        for (var it = upsertions.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            String user = entry.getKey();
            if (!existing.contains(user)) {
                if (count >= store.maxUsers()) {
                    errors.put(
                            user,
                            new ApiException(
                                    Errors.UNACCEPTABLE_CREDENTIAL,
                                    "Skiff keeps at most " + store.maxUsers()
                                            + " SCRAM users (skiff.sasl.scram.users.max)"));
                    it.remove();
                    continue;
                }
                count++;
            }
            ScramCredentialUpsertion u = entry.getValue();
            ScramMechanism mech = ScramMechanism.forType(u.mechanism());
            changes.add(new ScramCredentialStore.Change(
                    user, mech, mech.credential(u.salt(), u.saltedPassword(), u.iterations())));
        }
        try {
            store.apply(changes);
        } catch (UncheckedIOException e) {
            throw new ApiException(Errors.UNKNOWN_SERVER_ERROR, "Could not store the SCRAM credentials", e);
        }
        AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
        deletions.keySet().forEach(user -> response.results().add(result(user, null)));
        upsertions.keySet().forEach(user -> response.results().add(result(user, null)));
        errors.forEach((user, e) -> response.results().add(result(user, e)));
        return response;
    }

    private static AlterUserScramCredentialsResult result(String user, ApiException e) {
        AlterUserScramCredentialsResult r = new AlterUserScramCredentialsResult().setUser(user);
        if (e != null) r.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
        return r;
    }

    private static ApiException duplicate() {
        return new ApiException(
                Errors.DUPLICATE_RESOURCE, "A user credential cannot be altered twice in the same request");
    }

    private static ApiException checkNameAndMechanism(String name, byte mechanism) {
        if (name == null || name.isEmpty())
            return new ApiException(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES)
            return new ApiException(
                    Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be longer than " + MAX_FIELD_BYTES + " bytes");
        if (ScramMechanism.forType(mechanism) == null)
            return new ApiException(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        return null;
    }

    private static ApiException checkUpsertion(ScramCredentialUpsertion u) {
        ApiException e = checkNameAndMechanism(u.name(), u.mechanism());
        if (e != null) return e;
        if (u.iterations() < ScramMechanism.MIN_ITERATIONS)
            return new ApiException(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
        if (u.iterations() > ScramMechanism.MAX_ITERATIONS)
            return new ApiException(Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
        if (u.salt() == null || u.salt().length == 0)
            return new ApiException(Errors.UNACCEPTABLE_CREDENTIAL, "Salt must not be empty");
        if (u.salt().length > MAX_FIELD_BYTES)
            return new ApiException(
                    Errors.UNACCEPTABLE_CREDENTIAL, "Salt must not be longer than " + MAX_FIELD_BYTES + " bytes");
        if (u.saltedPassword() == null || u.saltedPassword().length == 0)
            return new ApiException(Errors.UNACCEPTABLE_CREDENTIAL, "Salted password must not be empty");
        if (u.saltedPassword().length > MAX_FIELD_BYTES)
            return new ApiException(
                    Errors.UNACCEPTABLE_CREDENTIAL,
                    "Salted password must not be longer than " + MAX_FIELD_BYTES + " bytes");
        return null;
    }
}
